"""Rattrapage du journal `trades` : les seules ÉCRITURES qui suivent l'exchange hors d'un ordre passé.

Un ordre limite exécuté (ou annulé) plus tard, hors de tout appel de l'application, laisse sa ligne
`trades` au statut `open` ; sur un broker papier, l'ordre limite lui-même n'est exécuté que quand on
rapproche le grand livre du prix (`PaperExchange.orders_match`). Les lectures (GET du Trading manuel,
des brokers, des statistiques) n'écrivent jamais (docs/architecture.md) ; le rattrapage passe par :

- le passage minute du moteur (`JournalCatchUp`, appelé par `engine.monitor`) : chaque broker
  actif qui a des lignes `trades` ouvertes (hors protections SL/TP d'une stratégie, que le moteur
  relit lui-même pour clore la position) (ou, en papier, des ordres ouverts au grand livre), au plus
  une fois par minute et par broker, erreurs journalisées sans secret ;
- `POST /api/trading-manual/sync/` (`apps.brokers.services.broker_journal_sync`) : la page Trading
  manuel le demande à son ouverture, à « Actualiser » et après un ordre ou une annulation, puis relit.

Débit : aucun appel quand le broker n'a rien d'ouvert ; sinon une lecture des ordres ouverts (d'un
symbole s'ils sont tous sur le même) et au plus `SYNC_LIMIT` ordres relus.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import ccxt
from asgiref.sync import sync_to_async
from django.db.models import Q

from apps.brokers.models import Broker, PaperOrder
from apps.core.exceptions import AristobotError
from apps.core.services.ccxt_manager import exchange_get
from apps.core.services.exchange import market_resolve, markets_ensure, open_orders_fetch
from apps.core.services.exchange_errors import exchange_message
from apps.trading.services.order_sync import open_rows, open_trades_sync

logger = logging.getLogger(__name__)

CATCH_UP_INTERVAL_S = 60.0  # passage du moteur : au plus une fois par minute et par broker


def _open_symbols(broker_id: int) -> list[str]:
    return sorted(set(open_rows(broker_id).values_list("symbol", flat=True)))


async def broker_journal_catch_up(*, broker: Broker, symbol: str | None = None) -> int:
    """Rattrape le journal d'un broker (d'un symbole ou de tous) ; renvoie le nombre de lignes relues.

    Papier : les ordres limites croisés par le prix sont d'abord exécutés au grand livre. Puis, s'il
    reste des lignes `trades` ouvertes, les ordres ouverts de l'exchange sont lus et les lignes dont
    l'ordre n'y est plus sont relues (`open_trades_sync`). Lève `AristobotError` (message français)
    si l'exchange refuse."""
    exchange = await exchange_get(broker=broker)
    if symbol:
        await markets_ensure(exchange)
        symbol = market_resolve(exchange, symbol)["symbol"]  # « BTCUSDT » → « BTC/USDT »
    if broker.is_paper:
        await exchange.orders_match(symbol)
    if symbol is None:
        symbols = await sync_to_async(_open_symbols)(broker.pk)
        if not symbols:
            return 0
        symbol = symbols[0] if len(symbols) == 1 else None  # un seul symbole : lecture moins lourde
    elif not await open_rows(broker.pk).aexists():
        return 0
    orders = await open_orders_fetch(broker=broker, symbol=symbol)
    still_open = {str(order.get("id") or "") for order in orders}
    return await open_trades_sync(broker=broker, still_open=still_open, symbol=symbol)


def brokers_to_catch_up() -> list[Broker]:
    """Brokers (d'utilisateurs actifs) ayant une ligne `trades` ouverte, ou, en papier, un ordre ouvert
    au grand livre."""
    in_journal = open_rows().values("broker_id")
    in_ledger = PaperOrder.objects.filter(status=PaperOrder.Status.OPEN).values("broker_id")
    return list(Broker.objects.filter(Q(pk__in=in_journal) | Q(pk__in=in_ledger, is_paper=True),
                                      user__is_active=True).order_by("pk"))


def _error_text(exc: BaseException) -> str:
    """Message journalisable : celui de l'exchange (URL sans chaîne de requête), jamais les clés."""
    if isinstance(exc, AristobotError):
        return exc.message
    if isinstance(exc, ccxt.BaseError):
        return f"{type(exc).__name__} : {exchange_message(exc)}"
    return type(exc).__name__


class JournalCatchUp:
    """Passage minute du moteur : `run()` rattrape chaque broker concerné, au plus une fois toutes les
    `interval_s` secondes par broker ; une erreur est journalisée et n'interrompt ni le passage ni le
    moteur. `{broker_id: lignes relues, ou message d'erreur}` (brokers sautés absents)."""

    def __init__(self, *, interval_s: float = CATCH_UP_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval_s = interval_s
        self._clock = clock
        self._last: dict[int, float] = {}

    def _due(self, broker_id: int, now: float) -> bool:
        last = self._last.get(broker_id)
        return last is None or now - last >= self.interval_s

    async def run(self) -> dict[int, Any]:
        results: dict[int, Any] = {}
        try:
            brokers = await sync_to_async(brokers_to_catch_up)()
        except Exception as exc:  # noqa: BLE001 — base indisponible : au prochain passage
            logger.warning("Rattrapage du journal impossible : %s", _error_text(exc))
            return results
        for broker in brokers:
            now = self._clock()
            if not self._due(broker.pk, now):
                continue
            self._last[broker.pk] = now
            try:
                results[broker.pk] = await broker_journal_catch_up(broker=broker)
            except Exception as exc:  # noqa: BLE001 — un broker en échec n'arrête pas les autres
                results[broker.pk] = _error_text(exc)
                logger.warning("Journal du broker %s non rattrapé : %s", broker.pk, results[broker.pk])
        return results
