"""Bougies Binance (REST ``klines`` et flux ``@kline_<intervalle>``) agrégées depuis les minutes.

Les intervalles sont des seaux alignés sur l'époque (``t − t % durée``), sauf ``1w`` (lundi
00:00 UTC) et ``1M`` (mois civil). Une « transaction » simulée par tick (seconde) : ``n``, ``f``
et ``L`` en découlent, et l'identifiant d'une transaction est le numéro de sa seconde.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from . import errors
from .market import FIELDS, MINUTE_MS, TICK_MS, MarketModel

INTERVAL_MINUTES: dict[str, int] = {
    "1m": 1,
    "3m": 3,
    "5m": 5,
    "15m": 15,
    "30m": 30,
    "1h": 60,
    "2h": 120,
    "4h": 240,
    "6h": 360,
    "8h": 480,
    "12h": 720,
    "1d": 1_440,
    "3d": 4_320,
    "1w": 10_080,
}
MONTH = "1M"
WEEK_OFFSET_MS = 4 * 86_400_000  # le 1970-01-01 était un jeudi ; les semaines Binance partent du lundi
LISTING_MS = 1_500_000_000_000  # 2017-07-14 : aucune bougie avant


def check_interval(interval: str | None) -> str:
    if interval is None:
        raise errors.missing_param("interval")
    if interval not in INTERVAL_MINUTES and interval != MONTH:
        raise errors.invalid_interval()
    return interval


def _month_shift(open_ms: int, months: int) -> int:
    moment = datetime.fromtimestamp(open_ms / 1000, tz=UTC)
    index = moment.year * 12 + moment.month - 1 + months
    return int(datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC).timestamp() * 1000)


def bucket_open(interval: str, t_ms: int) -> int:
    """Heure d'ouverture du seau contenant ``t_ms``."""
    if interval == MONTH:
        moment = datetime.fromtimestamp(t_ms / 1000, tz=UTC)
        return int(datetime(moment.year, moment.month, 1, tzinfo=UTC).timestamp() * 1000)
    size = INTERVAL_MINUTES[interval] * MINUTE_MS
    offset = WEEK_OFFSET_MS if interval == "1w" else 0
    return t_ms - (t_ms - offset) % size


def shift(interval: str, open_ms: int, count: int) -> int:
    """Ouverture du seau situé ``count`` seaux après (ou avant si négatif) ``open_ms``."""
    if interval == MONTH:
        return _month_shift(open_ms, count)
    return open_ms + count * INTERVAL_MINUTES[interval] * MINUTE_MS


def select_opens(interval: str, start: int | None, end: int | None, limit: int, now_ms: int) -> list[int]:
    """Ouvertures des bougies à renvoyer, selon la sémantique Binance de ``klines``."""
    current = bucket_open(interval, now_ms)
    first_allowed = bucket_open(interval, LISTING_MS)
    last = current if end is None else min(current, bucket_open(interval, end))
    opens: list[int] = []
    if start is not None:
        first = bucket_open(interval, max(start, LISTING_MS))
        if first < start:
            first = shift(interval, first, 1)
        cursor = first
        while cursor <= last and len(opens) < limit:
            opens.append(cursor)
            cursor = shift(interval, cursor, 1)
        return opens
    cursor = last
    while cursor >= first_allowed and len(opens) < limit:
        opens.append(cursor)
        cursor = shift(interval, cursor, -1)
    opens.reverse()
    return opens


class CandleBuilder:
    """Agrège les minutes du modèle en bougies, en tronquant à l'instant simulé courant."""

    def __init__(self, market: MarketModel) -> None:
        self.market = market

    def aggregate(self, symbol: str, interval: str, opens: list[int], now_ms: int) -> list[dict[str, float]]:
        """Bougies (valeurs numériques) pour des ouvertures consécutives, toutes ≤ maintenant."""
        if not opens:
            return []
        closes = [shift(interval, t, 1) for t in opens]
        m_first = opens[0] // MINUTE_MS
        m_end = min(closes[-1], now_ms - now_ms % MINUTE_MS + MINUTE_MS) // MINUTE_MS
        data = self.market.minutes(symbol, m_first, m_end - m_first)
        now_minute = now_ms // MINUTE_MS
        if m_first <= now_minute < m_end:
            partial = self.market.partial_minute(symbol, now_ms)
            row = now_minute - m_first
            for key, value in partial.items():
                data[key][row] = value
        starts = np.array([(t // MINUTE_MS) - m_first for t in opens], dtype=np.int64)
        highs = np.maximum.reduceat(data["high"], starts)
        lows = np.minimum.reduceat(data["low"], starts)
        sums = {key: np.add.reduceat(data[key], starts) for key in FIELDS[4:]}
        ends = np.append(starts[1:], len(data["close"])) - 1
        result = []
        for i, open_ms in enumerate(opens):
            close_ms = closes[i] - 1
            last_tick = min(close_ms, now_ms) // TICK_MS
            first_tick = open_ms // TICK_MS
            result.append(
                {
                    "open_time": open_ms,
                    "close_time": close_ms,
                    "open": float(data["open"][starts[i]]),
                    "high": float(highs[i]),
                    "low": float(lows[i]),
                    "close": float(data["close"][ends[i]]),
                    "volume": float(sums["volume"][i]),
                    "quote_volume": float(sums["quote_volume"][i]),
                    "taker_base": float(sums["taker_base"][i]),
                    "taker_quote": float(sums["taker_quote"][i]),
                    "first_id": first_tick,
                    "last_id": last_tick,
                    "trades": last_tick - first_tick + 1,
                    "closed": close_ms < now_ms,
                }
            )
        return result

    def _price(self, symbol: str, value: float) -> str:
        return f"{self.market.round_price(symbol, value):.8f}"

    def rest_rows(self, symbol: str, candles: list[dict[str, float]]) -> list[list[object]]:
        """Lignes de ``GET /api/v3/klines``."""
        return [
            [
                int(c["open_time"]),
                self._price(symbol, c["open"]),
                self._price(symbol, c["high"]),
                self._price(symbol, c["low"]),
                self._price(symbol, c["close"]),
                f"{c['volume']:.8f}",
                int(c["close_time"]),
                f"{c['quote_volume']:.8f}",
                int(c["trades"]),
                f"{c['taker_base']:.8f}",
                f"{c['taker_quote']:.8f}",
                "0",
            ]
            for c in candles
        ]

    def klines(
        self, symbol: str, interval: str, start: int | None, end: int | None, limit: int, now_ms: int
    ) -> list[list[object]]:
        opens = select_opens(interval, start, end, limit, now_ms)
        return self.rest_rows(symbol, self.aggregate(symbol, interval, opens, now_ms))

    def kline_event(
        self, symbol: str, interval: str, open_ms: int, now_ms: int, event_ms: int
    ) -> dict[str, object]:
        """Message ``<symbole>@kline_<intervalle>`` (``x`` vrai si la bougie est close à ``now_ms``)."""
        candle = self.aggregate(symbol, interval, [open_ms], now_ms)[0]
        return {
            "e": "kline",
            "E": event_ms,
            "s": symbol,
            "k": {
                "t": int(candle["open_time"]),
                "T": int(candle["close_time"]),
                "s": symbol,
                "i": interval,
                "f": int(candle["first_id"]),
                "L": int(candle["last_id"]),
                "o": self._price(symbol, candle["open"]),
                "c": self._price(symbol, candle["close"]),
                "h": self._price(symbol, candle["high"]),
                "l": self._price(symbol, candle["low"]),
                "v": f"{candle['volume']:.8f}",
                "n": int(candle["trades"]),
                "x": bool(candle["closed"]),
                "q": f"{candle['quote_volume']:.8f}",
                "V": f"{candle['taker_base']:.8f}",
                "Q": f"{candle['taker_quote']:.8f}",
                "B": "0",
            },
        }
