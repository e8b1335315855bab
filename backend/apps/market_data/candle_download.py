"""Téléchargement des bougies manquantes d'une période dans la table partagée `candles`.

`candles_download(...)` calcule les trous (par exchange, symbole, unité sur [début, fin)), les
télécharge par CCXT (`ohlcv_fetch`, instance publique de l'exchange) page par page et enregistre
chaque page aussitôt (COPY idempotent) : interrompu (annulation de la tâche asyncio), il reprend
plus tard là où il s'était arrêté, sans retélécharger ce qui est stocké ni créer de doublon.
Le 10m est construit à partir du 1m par `ohlcv_fetch` (Binance ne le sert pas).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async

from apps.core.services.ccxt_manager import public_exchange_get
from apps.core.services.exchange import market_resolve, markets_ensure
from apps.core.services.ohlcv import PAGE_LIMIT, ohlcv_fetch
from apps.core.timeframes import MINUTE_MS, timeframe_ms
from apps.market_data.candle_store import Range, candles_missing_ranges, candles_store

#: `progress_cb(téléchargées, à télécharger)` : appelé au départ puis après chaque page enregistrée.
DownloadProgress = Callable[[int, int], Any]


@dataclass
class DownloadReport:
    """Bilan d'un téléchargement (bougies comptées dans l'unité demandée)."""

    symbol: str  # symbole unifié (`BTC/USDT`), celui des lignes enregistrées
    missing: int = 0  # bougies absentes de la base au départ
    fetched: int = 0  # bougies reçues de l'exchange
    stored: int = 0  # bougies réellement ajoutées
    pages: int = 0
    ranges: list[Range] = field(default_factory=list)


def _page_ms(exchange: Any, timeframe: str) -> int:
    """Durée couverte par une requête : 1000 bougies natives, ou 1000 minutes pour un 10m construit."""
    step = timeframe_ms(timeframe)
    if timeframe in (exchange.timeframes or {}):
        return PAGE_LIMIT * step
    return max(step, (PAGE_LIMIT * MINUTE_MS) // step * step)


async def candles_download(
    *,
    exchange_id: str,
    symbol: str,
    timeframe: str,
    start_ms: int,
    end_ms: int,
    progress_cb: DownloadProgress | None = None,
    now_ms: int | None = None,
) -> DownloadReport:
    """Télécharge et enregistre les bougies manquantes d'ouverture dans [start_ms, end_ms).

    Lève `AristobotError` (symbole ou unité inconnus, exchange indisponible) ; annulable à tout
    moment (les pages déjà enregistrées restent).
    """
    step = timeframe_ms(timeframe)
    now = int(time.time() * 1000) if now_ms is None else now_ms

    async def missing(name: str) -> list[Range]:
        return await sync_to_async(candles_missing_ranges)(
            exchange=exchange_id, symbol=name, timeframe=timeframe, start_ms=start_ms,
            end_ms=end_ms, now_ms=now)

    unified = symbol.strip().upper().replace("-", "/")
    gaps = await missing(unified)
    exchange = None
    if gaps:  # l'exchange n'est contacté que s'il manque des bougies
        exchange = await public_exchange_get(exchange_id=exchange_id)
        await markets_ensure(exchange)
        resolved = market_resolve(exchange, unified)["symbol"]
        if resolved != unified:
            unified, gaps = resolved, await missing(resolved)
    report = DownloadReport(symbol=unified, ranges=gaps,
                            missing=sum((high - low) // step for low, high in gaps))
    done = 0
    if progress_cb is not None:
        progress_cb(0, report.missing)
    if exchange is None or not gaps:
        return report
    page = _page_ms(exchange, timeframe)
    for low, high in gaps:
        cursor = low
        while cursor < high:
            until = min(high, cursor + page)
            rows = await ohlcv_fetch(exchange_id=exchange_id, symbol=unified, timeframe=timeframe,
                                     since_ms=cursor, until_ms=until, exchange=exchange)
            report.stored += await sync_to_async(candles_store)(
                exchange=exchange_id, symbol=unified, timeframe=timeframe, rows=rows)
            report.fetched += len(rows)
            report.pages += 1
            done += (until - cursor) // step
            if progress_cb is not None:
                progress_cb(done, report.missing)
            cursor = until
    return report
