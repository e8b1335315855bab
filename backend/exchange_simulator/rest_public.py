"""Endpoints publics ``/api/v3`` : ping, time, exchangeInfo, klines, tickers, depth, avgPrice."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from aiohttp import web

from . import errors
from .candles import check_interval
from .market import MINUTE_MS, TICK_MS
from .params import Params
from .responses import json_response
from .symbols import SymbolSpec, fmt, symbol_info

if TYPE_CHECKING:
    from .server import ExchangeSimulator

DAY_MS = 86_400_000
RATE_LIMITS = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
    {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
    {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000},
]


def params_of(request: web.Request) -> Params:
    return Params.from_pairs(list(request.query.items()), [])


class PublicApi:
    """Gestionnaires aiohttp des endpoints publics."""

    def __init__(self, sim: ExchangeSimulator) -> None:
        self.sim = sim

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/v3/ping", self.ping),
            web.get("/api/v3/time", self.time),
            web.get("/api/v3/exchangeInfo", self.exchange_info),
            web.get("/api/v3/klines", self.klines),
            web.get("/api/v3/uiKlines", self.klines),
            web.get("/api/v3/ticker/price", self.ticker_price),
            web.get("/api/v3/ticker/bookTicker", self.book_ticker),
            web.get("/api/v3/ticker/24hr", self.ticker_24hr),
            web.get("/api/v3/avgPrice", self.avg_price),
            web.get("/api/v3/depth", self.depth),
        ]

    def _selection(self, params: Params) -> tuple[list[SymbolSpec], bool]:
        """Paires demandées (``symbol``, ``symbols`` ou toutes) ; vrai si une seule via ``symbol``."""
        spec = params.symbol(self.sim.specs, required=False)
        if spec is not None:
            return [spec], True
        many = params.symbol_list(self.sim.specs)
        return (many if many is not None else list(self.sim.specs.values())), False

    @staticmethod
    def _one_or_list(items: list[dict[str, object]], single: bool) -> web.Response:
        return json_response(items[0] if single else items)

    async def ping(self, request: web.Request) -> web.Response:
        return json_response({})

    async def time(self, request: web.Request) -> web.Response:
        return json_response({"serverTime": self.sim.clock.now_ms()})

    async def exchange_info(self, request: web.Request) -> web.Response:
        specs, _ = self._selection(params_of(request))
        return json_response(
            {
                "timezone": "UTC",
                "serverTime": self.sim.clock.now_ms(),
                "rateLimits": RATE_LIMITS,
                "exchangeFilters": [],
                "symbols": [symbol_info(spec) for spec in specs],
            }
        )

    async def klines(self, request: web.Request) -> web.Response:
        params = params_of(request)
        spec = params.symbol(self.sim.specs)
        assert spec is not None
        interval = check_interval(params.text("interval"))
        start, end = params.integer("startTime"), params.integer("endTime")
        if start is not None and end is not None and start > end:
            raise errors.invalid_parameter("startTime")
        limit = params.limit(500, 1000)
        now = self.sim.clock.now_ms()
        rows = self.sim.candles.klines(spec.symbol, interval, start, end, limit, now)
        return json_response(rows)

    def _price(self, spec: SymbolSpec, now: int) -> float:
        return self.sim.market.price_at(spec.symbol, now)

    async def ticker_price(self, request: web.Request) -> web.Response:
        specs, single = self._selection(params_of(request))
        now = self.sim.clock.now_ms()
        items = [{"symbol": s.symbol, "price": fmt(self._price(s, now))} for s in specs]
        return self._one_or_list(items, single)

    def _book(self, spec: SymbolSpec, now: int) -> dict[str, object]:
        bid = self._price(spec, now)
        ask = bid + float(spec.tick_size)
        qty = fmt(float(spec.step_size) * 1000)
        return {
            "symbol": spec.symbol,
            "bidPrice": fmt(bid),
            "bidQty": qty,
            "askPrice": fmt(ask),
            "askQty": qty,
        }

    async def book_ticker(self, request: web.Request) -> web.Response:
        specs, single = self._selection(params_of(request))
        now = self.sim.clock.now_ms()
        return self._one_or_list([self._book(s, now) for s in specs], single)

    def _stats(self, spec: SymbolSpec, now: int) -> dict[str, object]:
        """Statistiques glissantes sur 24 h (minutes complètes + minute en cours)."""
        market = self.sim.market
        m_now = now // MINUTE_MS
        m0 = m_now - 1439
        data = market.minutes(spec.symbol, m0 - 1, 1441)
        partial = market.partial_minute(spec.symbol, now)
        for key, value in partial.items():
            data[key][-1] = value
        prev_close = float(data["close"][0])
        opens = data["open"][1:]
        volume = float(np.sum(data["volume"][1:]))
        quote = float(np.sum(data["quote_volume"][1:]))
        last = self._price(spec, now)
        first = market.round_price(spec.symbol, float(opens[0]))
        change = last - first
        book = self._book(spec, now)
        first_id, last_id = (now - DAY_MS) // TICK_MS, now // TICK_MS
        return {
            "symbol": spec.symbol,
            "priceChange": fmt(change),
            "priceChangePercent": f"{change / first * 100:.3f}",
            "weightedAvgPrice": fmt(quote / volume if volume else last),
            "prevClosePrice": fmt(market.round_price(spec.symbol, prev_close)),
            "lastPrice": fmt(last),
            "lastQty": fmt(float(spec.step_size) * 10),
            "bidPrice": book["bidPrice"],
            "bidQty": book["bidQty"],
            "askPrice": book["askPrice"],
            "askQty": book["askQty"],
            "openPrice": fmt(first),
            "highPrice": fmt(market.round_price(spec.symbol, float(np.max(data["high"][1:])))),
            "lowPrice": fmt(market.round_price(spec.symbol, float(np.min(data["low"][1:])))),
            "volume": fmt(volume),
            "quoteVolume": fmt(quote),
            "openTime": now - DAY_MS,
            "closeTime": now,
            "firstId": first_id,
            "lastId": last_id,
            "count": last_id - first_id + 1,
        }

    async def ticker_24hr(self, request: web.Request) -> web.Response:
        specs, single = self._selection(params_of(request))
        now = self.sim.clock.now_ms()
        return self._one_or_list([self._stats(spec, now) for spec in specs], single)

    async def avg_price(self, request: web.Request) -> web.Response:
        params = params_of(request)
        spec = params.symbol(self.sim.specs)
        assert spec is not None
        now = self.sim.clock.now_ms()
        data = self.sim.market.minutes(spec.symbol, now // MINUTE_MS - 5, 5)
        avg = float(np.sum(data["quote_volume"]) / np.sum(data["volume"]))
        price = self.sim.market.round_price(spec.symbol, avg)
        return json_response({"mins": 5, "price": fmt(price), "closeTime": now - now % MINUTE_MS - 1})

    async def depth(self, request: web.Request) -> web.Response:
        """Carnet synthétique : niveaux espacés d'un pas de cotation autour du prix courant."""
        params = params_of(request)
        spec = params.symbol(self.sim.specs)
        assert spec is not None
        levels = min(params.limit(100, 5000), 500)
        now = self.sim.clock.now_ms()
        bid = self._price(spec, now)
        tick = float(spec.tick_size)
        step = float(spec.step_size)
        sizes = [fmt(step * (1000 + 137 * ((i * 7919) % 23))) for i in range(levels)]
        bids = [[fmt(bid - i * tick), sizes[i]] for i in range(levels) if bid - i * tick > 0]
        asks = [[fmt(bid + (i + 1) * tick), sizes[i]] for i in range(levels)]
        return json_response({"lastUpdateId": now // TICK_MS, "bids": bids, "asks": asks})
