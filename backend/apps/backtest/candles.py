"""Les bougies d'un backtest : une seule façon de les obtenir, pour la page comme pour la commande.

1. `candles_download` (app market_data) télécharge ce qui manque, page par page et sans rien
   demander à l'exchange si tout est déjà en base ; il renvoie le symbole unifié des lignes ;
2. `backtest_candles_read` lit la période dans la table partagée `candles` (`COPY … TO STDOUT`
   → tableaux numpy, ceux qu'attend l'enfant du bac à sable) et refuse une période trop courte ;
3. `backtest_coverage` dit si la période demandée est couverte (la commande s'en sert pour
   refuser un calcul sur une base incomplète quand elle ne télécharge pas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.core.exceptions import AristobotError
from apps.core.timeframes import timeframe_ms
from apps.market_data.candle_store import candles_arrays

NS_PER_MS = 1_000_000


def backtest_candles_read(
    *, exchange: str, symbol: str, timeframe: str, start_ms: int, end_ms: int
) -> dict[str, Any]:
    """Bougies d'ouverture dans [start_ms, end_ms) en tableaux ; au moins 2, sinon erreur française."""
    arrays = candles_arrays(exchange=exchange, symbol=symbol, timeframe=timeframe,
                            start_ms=start_ms, end_ms=end_ms)
    count = len(arrays["close"])
    if count < 2:
        raise AristobotError(
            f"Pas assez de bougies {symbol} {timeframe} sur {exchange} pour cette période "
            f"({count}) : choisissez une période passée plus longue.")
    return arrays


@dataclass(frozen=True)
class Coverage:
    """Ce que couvrent des bougies lues, rapporté à la période demandée."""

    first_ms: int
    last_ms: int
    covered: bool  # la première et la dernière bougie attendues sont là
    holes: int  # bougies absentes entre la première et la dernière


def backtest_coverage(arrays: dict[str, Any], *, timeframe: str, start_ms: int,
                      end_ms: int) -> Coverage:
    """Couverture de [start_ms, end_ms) par des bougies non vides (tolérance : une bougie en cours)."""
    step = timeframe_ms(timeframe)
    stamps = arrays["timestamp"]
    first, last = int(stamps[0]) // NS_PER_MS, int(stamps[-1]) // NS_PER_MS
    covered = first - start_ms < step and end_ms - last <= 2 * step
    return Coverage(first_ms=first, last_ms=last, covered=covered,
                    holes=max(0, (last - first) // step + 1 - len(stamps)))
