"""Rattrapage des bougies 1m manquées, par l'API REST publique de Binance (CCXT, sans clés).

Une seule instance CCXT vit aussi longtemps que le démon (limiteur de débit, cache des marchés) et
est fermée à l'arrêt. Seules les bougies clôturées sont gardées (``ouverture + 60000 <= maintenant``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from apps.core.timeframes import MINUTE_MS
from apps.heartbeat import storage
from apps.heartbeat.aggregator import (
    LARGEST_TF_MS,
    Candle,
    CandleAggregator,
    Kline,
    MalformedMessage,
    bucket_start,
    kline_from_ohlcv,
)

logger = logging.getLogger(__name__)

_PAGE = 1000  # bougies par appel klines (maximum Binance)


class Backfiller:
    """Récupère les bougies 1m clôturées manquantes et répare les trous stockés."""

    def __init__(self, exchange: Any, *, max_minutes: int, clock_ms: Callable[[], int]) -> None:
        self.exchange = exchange
        self.max_minutes = max_minutes
        self.clock_ms = clock_ms
        self.server_offset_ms = 0
        self._markets_loaded = False
        # La pagination de CCXT s'arrête à « maintenant » : celui de l'exchange, pas le nôtre.
        exchange.milliseconds = lambda: self.clock_ms() + self.server_offset_ms

    async def server_now(self) -> int:
        """Heure de l'exchange (``/api/v3/time``), à défaut la nôtre.

        Une bougie n'est close que si ``ouverture + 60000 <= heure de l'exchange`` : une horloge
        locale en avance ferait prendre la bougie en cours pour une bougie close (et un simulateur
        accéléré a sa propre heure).
        """
        local = self.clock_ms()
        try:
            server = int(await self.exchange.fetch_time())
        except Exception as exc:  # noqa: BLE001 — repli : horloge locale
            logger.debug("Heure de l'exchange indisponible (%s) : horloge locale", exc)
            return local
        self.server_offset_ms = server - local
        return server

    async def _ccxt_symbol(self, symbol_id: str) -> str:
        if not self._markets_loaded:
            await self.exchange.load_markets()
            self._markets_loaded = True
        markets = self.exchange.markets_by_id.get(symbol_id)
        if not markets:
            raise ValueError(f"symbole inconnu de l'exchange : {symbol_id}")
        return markets[0]["symbol"]

    def floor_ms(self, now_ms: int) -> int:
        """Plus ancienne ouverture rattrapable (frontière de 4 h, ``max_minutes`` en arrière)."""
        return bucket_start(now_ms - self.max_minutes * MINUTE_MS, LARGEST_TF_MS)

    async def fetch_closed(
        self, symbol: str, since_ms: int, until_ms: int | None = None
    ) -> list[Kline]:
        """Bougies 1m clôturées d'ouverture dans [since, min(until, maintenant)), triées.

        « Maintenant » est l'heure de l'exchange. Au-delà de ``max_minutes`` en arrière, le début
        est tronqué (le trou restant est signalé par le contrôle de cohérence).
        """
        now_ms = await self.server_now()
        if until_ms is not None:
            now_ms = min(now_ms, until_ms)
        since_ms = since_ms - since_ms % MINUTE_MS
        floor_ms = self.floor_ms(now_ms)
        if since_ms < floor_ms:
            logger.warning(
                "Rattrapage %s limité à %d minutes : les bougies avant %s ne seront pas récupérées",
                symbol, self.max_minutes, storage.iso_utc(floor_ms),
            )
            since_ms = floor_ms
        if since_ms + MINUTE_MS > now_ms:
            return []
        ccxt_symbol = await self._ccxt_symbol(symbol)
        calls = math.ceil((now_ms - since_ms) / (_PAGE * MINUTE_MS)) + 1
        rows = await self.exchange.fetch_ohlcv(
            ccxt_symbol,
            "1m",
            since_ms,
            params={"paginate": True, "paginationCalls": calls, "until": now_ms},
        )
        klines: list[Kline] = []
        for row in rows:
            try:
                kline = kline_from_ohlcv(symbol, row)
            except MalformedMessage as exc:
                logger.warning("Ligne REST ignorée (%s) : %s", symbol, exc)
                continue
            if since_ms <= kline.open_time and kline.open_time + MINUTE_MS <= now_ms:
                klines.append(kline)
        klines.sort(key=lambda k: k.open_time)
        return klines

    async def rebuild(
        self, db: storage.DbRunner, symbol: str, start_ms: int, end_ms: int
    ) -> list[Candle]:
        """Bougies (toutes unités) d'une plage à réparer : minutes stockées + minutes récupérées.

        La fenêtre est élargie aux frontières de 4 h pour que chaque seau soit reconstruit en
        entier ; seuls les seaux terminés avant maintenant sont émis.
        """
        now_ms = self.clock_ms() + self.server_offset_ms
        window_start = bucket_start(start_ms, LARGEST_TF_MS)
        window_end = min(
            bucket_start(end_ms - 1, LARGEST_TF_MS) + LARGEST_TF_MS,
            now_ms - now_ms % MINUTE_MS,
        )
        stored = await db.run(
            storage.stored_klines_1m, symbol=symbol, start_ms=window_start, end_ms=window_end
        )
        fetched = await self.fetch_closed(symbol, start_ms, end_ms)
        by_time = {k.open_time: k for k in fetched}
        by_time.update({k.open_time: k for k in stored})  # la base fait foi
        aggregator = CandleAggregator()
        aggregator.prime(symbol, window_start)
        candles: list[Candle] = []
        for open_time in sorted(by_time):
            if open_time < window_end:
                candles.extend(aggregator.feed(by_time[open_time]))
        candles.extend(aggregator.flush_until(symbol, window_end))
        return candles

    async def close(self) -> None:
        await self.exchange.close()
