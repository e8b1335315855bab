"""Boucle du marché vivant : à chaque tick simulée, appariement des ordres et diffusion WebSocket.

Une itération traite toutes les ticks écoulées depuis la précédente (au plus ``MAX_CATCH_UP``) :
les ordres voient le plus bas et le plus haut de ces ticks ; les flux ``@kline_<i>`` reçoivent
une mise à jour toutes les ~2 s simulées (``x: false``) et exactement un message ``x: true`` par
bougie close ; ``@trade`` reçoit une transaction par itération. Une erreur est journalisée et
n'arrête jamais la boucle.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import numpy as np

from .candles import INTERVAL_MINUTES, MONTH, bucket_open, shift
from .market import TICK_MS

if TYPE_CHECKING:
    from .server import ExchangeSimulator

logger = logging.getLogger("aristobot.simulator")

KLINE_UPDATE_MS = 2_000
MAX_CATCH_UP = 3_600
MAX_CLOSES_PER_ITERATION = 500
MIN_SLEEP_SECONDS = 0.02


def parse_stream(stream: str) -> tuple[str, str, str | None] | None:
    """``btcusdt@kline_1m`` → (``BTCUSDT``, ``kline``, ``1m``) ; ``btcusdt@trade`` → (…, ``trade``, None)."""
    symbol, _, kind = stream.partition("@")
    if kind == "trade":
        return symbol.upper(), "trade", None
    if kind.startswith("kline_"):
        interval = kind[len("kline_") :]
        if interval in INTERVAL_MINUTES or interval == MONTH:
            return symbol.upper(), "kline", interval
    return None


class MarketFeed:
    """Fait vivre le marché : ticks → moteur d'ordres → flux WebSocket."""

    def __init__(self, sim: ExchangeSimulator) -> None:
        self.sim = sim
        self._last_tick = sim.clock.now_ms() // TICK_MS
        self._last_now = sim.clock.now_ms()
        self._kline_sent: dict[str, int] = {}
        self._trade_seq = 0

    async def run(self) -> None:
        clock = self.sim.clock
        while True:
            next_tick_ms = (self._last_tick + 1) * TICK_MS
            await asyncio.sleep(max(MIN_SLEEP_SECONDS, clock.wall_seconds_until(next_tick_ms)))
            try:
                self.step(clock.now_ms())
            except Exception:  # une itération ratée ne doit pas tuer le marché
                logger.exception("Erreur dans la boucle du marché simulé")

    def step(self, now: int) -> None:
        tick = now // TICK_MS
        if tick <= self._last_tick:
            return
        first = max(self._last_tick + 1, tick - MAX_CATCH_UP + 1)
        count = tick - first + 1
        times = np.arange(first, tick + 1, dtype=np.int64) * TICK_MS
        for symbol, pool in self.sim.engine.open_orders.items():
            if pool:
                prices = self.sim.market.tick_prices(symbol, first, count)
                rounded = self.sim.market.round_prices(symbol, prices)
                self.sim.engine.on_ticks(symbol, times, rounded, now)
        self._publish(now)
        self._last_tick = tick
        self._last_now = now

    def _publish(self, now: int) -> None:
        hub = self.sim.hub
        for stream in sorted(hub.subscribed_streams()):
            parsed = parse_stream(stream)
            if parsed is None or parsed[0] not in self.sim.specs:
                continue
            symbol, kind, interval = parsed
            if kind == "trade":
                hub.publish(stream, self._trade_event(symbol, now))
            elif interval is not None:
                for payload in self._kline_events(stream, symbol, interval, now):
                    hub.publish(stream, payload)

    def _trade_event(self, symbol: str, now: int) -> dict[str, object]:
        spec = self.sim.specs[symbol]
        price = self.sim.market.price_at(symbol, now)
        tick = now // TICK_MS
        qty = float(spec.step_size) * (1 + (tick * 2654435761) % 997)
        return {
            "e": "trade",
            "E": now,
            "s": symbol,
            "t": tick,
            "p": f"{price:.8f}",
            "q": f"{qty:.8f}",
            "T": tick * TICK_MS,
            "m": bool(tick % 2),
            "M": True,
        }

    def _kline_events(self, stream: str, symbol: str, interval: str, now: int) -> list[dict[str, object]]:
        """Bougies closes depuis l'itération précédente (``x: true``), puis mise à jour en cours."""
        candles = self.sim.candles
        events = []
        previous = self._kline_sent.get(stream)
        current_open = bucket_open(interval, now)
        if previous is not None:
            cursor = bucket_open(interval, self._last_now)
            closes = 0
            while cursor < current_open and closes < MAX_CLOSES_PER_ITERATION:
                events.append(candles.kline_event(symbol, interval, cursor, shift(interval, cursor, 1), now))
                cursor = shift(interval, cursor, 1)
                closes += 1
        if previous is None or now - previous >= KLINE_UPDATE_MS or events:
            events.append(candles.kline_event(symbol, interval, current_open, now, now))
            self._kline_sent[stream] = now
        return events
