"""Simulateur Binance vu par le vrai CCXT (``ccxt.async_support.binance``) sur le loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import ccxt.async_support as ccxt
import pytest
import pytest_asyncio

from exchange_simulator import ExchangeSimulator
from exchange_simulator.testing import make_ccxt_binance, running_simulator

MINUTE = 60_000


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[ExchangeSimulator]:
    async with running_simulator(seed=11) as simulator:
        yield simulator


@pytest_asyncio.fixture
async def exchange(sim: ExchangeSimulator) -> AsyncIterator[Any]:
    client = make_ccxt_binance(sim.base_url)
    try:
        yield client
    finally:
        await client.close()


async def _admin(sim: ExchangeSimulator, path: str, payload: dict[str, Any] | None = None) -> Any:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sim.base_url}/sim/{path}", json=payload or {}) as resp,
    ):
        assert resp.status == 200, await resp.text()
        return await resp.json()


async def test_load_markets_parses_filters_into_precision_and_limits(exchange: Any) -> None:
    markets = await exchange.load_markets()
    btc = markets["BTC/USDT"]
    assert btc["spot"] and btc["active"] and btc["id"] == "BTCUSDT"
    assert btc["precision"]["price"] == 0.01 and btc["precision"]["amount"] == 0.00001
    assert btc["limits"]["amount"]["min"] == 0.00001 and btc["limits"]["cost"]["min"] == 5.0
    assert markets["ETH/BTC"]["limits"]["cost"]["min"] == 0.0001
    assert len(markets) >= 10 and all(m["type"] == "spot" for m in markets.values())
    assert exchange.amount_to_precision("BTC/USDT", 0.123456789) == "0.12345"


async def test_fetch_ticker_and_time(exchange: Any, sim: ExchangeSimulator) -> None:
    ticker = await exchange.fetch_ticker("BTC/USDT")
    assert abs(ticker["last"] / float(sim.current_price("BTCUSDT")) - 1) < 0.01
    assert ticker["low"] <= ticker["last"] <= ticker["high"] and ticker["baseVolume"] > 0
    assert ticker["bid"] < ticker["ask"]
    assert abs(await exchange.fetch_time() - sim.clock.now_ms()) < 2_000


async def test_paginated_ohlcv_is_contiguous_and_deterministic(exchange: Any, sim: ExchangeSimulator) -> None:
    now = sim.clock.now_ms()
    until = now - now % MINUTE - MINUTE
    since = until - 6_000 * MINUTE
    params = {"paginate": True, "until": until}
    candles = await exchange.fetch_ohlcv("BTC/USDT", "1m", since=since, params=params)
    times = [c[0] for c in candles]
    assert len(candles) >= 5_000 and len(set(times)) == len(times)
    assert all(b - a == MINUTE for a, b in zip(times, times[1:], strict=False))
    assert all(c[3] <= min(c[1], c[4]) <= max(c[1], c[4]) <= c[2] for c in candles)
    async with running_simulator(seed=11) as twin:
        other = make_ccxt_binance(twin.base_url)
        try:
            again = await other.fetch_ohlcv("BTC/USDT", "1m", since=since, params=params)
        finally:
            await other.close()
    assert again == candles


async def test_fetch_balance_of_the_demo_account(exchange: Any) -> None:
    balance = await exchange.fetch_balance()
    assert balance["USDT"] == {"free": 10_000.0, "used": 0.0, "total": 10_000.0}
    assert balance["BTC"]["free"] == 0.5 and balance["ETH"]["free"] == 5.0


async def test_market_buy_by_amount_and_by_cost(exchange: Any, sim: ExchangeSimulator) -> None:
    await exchange.load_markets()
    price = float(sim.set_price("BTCUSDT", 50_000, freeze=True))
    order = await exchange.create_order("BTC/USDT", "market", "buy", 0.01)
    assert order["status"] == "closed" and order["filled"] == 0.01 and order["average"] == price
    assert order["fee"] == {"currency": "BTC", "cost": 0.00001}
    by_cost = await exchange.create_market_buy_order_with_cost("BTC/USDT", 100)
    assert by_cost["filled"] == 0.002 and by_cost["cost"] == 100.0
    by_param = await exchange.create_order("BTC/USDT", "market", "buy", None, params={"quoteOrderQty": 50})
    assert by_param["filled"] == 0.001 and by_param["info"]["origQuoteOrderQty"] == "50.00000000"
    balance = await exchange.fetch_balance()
    assert balance["USDT"]["free"] == pytest.approx(10_000 - 500 - 100 - 50)
    assert balance["BTC"]["free"] == pytest.approx(0.5 + 0.013 * 0.999)
    trades = await exchange.fetch_my_trades("BTC/USDT")
    assert [t["amount"] for t in trades] == [0.01, 0.002, 0.001]


async def test_limit_buy_fills_when_price_is_forced_below(exchange: Any, sim: ExchangeSimulator) -> None:
    await exchange.load_markets()
    sim.set_price("BTCUSDT", 60_000, freeze=True)
    order = await exchange.create_order("BTC/USDT", "limit", "buy", 0.05, 59_000)
    assert order["status"] == "open"
    balance = await exchange.fetch_balance()
    assert balance["USDT"]["used"] == pytest.approx(2_950) and balance["USDT"]["free"] == pytest.approx(7_050)
    assert [o["id"] for o in await exchange.fetch_open_orders("BTC/USDT")] == [order["id"]]
    await _admin(sim, "price", {"symbol": "BTCUSDT", "price": 58_500})
    filled = await exchange.fetch_order(order["id"], "BTC/USDT")
    assert filled["status"] == "closed" and filled["average"] == 59_000  # au prix limite (maker)
    assert await exchange.fetch_open_orders("BTC/USDT") == []
    balance = await exchange.fetch_balance()
    assert balance["USDT"]["total"] == pytest.approx(7_050) and balance["USDT"]["used"] == 0
    assert balance["BTC"]["total"] == pytest.approx(0.5 + 0.05 * 0.999)


async def test_cancel_and_fetch_order_by_id_and_client_id(exchange: Any, sim: ExchangeSimulator) -> None:
    await exchange.load_markets()
    sim.set_price("ETHUSDT", 3_000, freeze=True)
    order = await exchange.create_order(
        "ETH/USDT", "limit", "sell", 1, 3_500, params={"clientOrderId": "mon-ordre-1"}
    )
    assert order["clientOrderId"] == "mon-ordre-1"
    by_id = await exchange.fetch_order(order["id"], "ETH/USDT")
    by_client = await exchange.fetch_order(None, "ETH/USDT", params={"clientOrderId": "mon-ordre-1"})
    assert by_id["id"] == by_client["id"] == order["id"] and by_id["status"] == "open"
    assert (await exchange.fetch_balance())["ETH"]["used"] == 1.0
    canceled = await exchange.cancel_order(order["id"], "ETH/USDT")
    assert canceled["status"] == "canceled"
    assert (await exchange.fetch_balance())["ETH"] == {"free": 5.0, "used": 0.0, "total": 5.0}
    with pytest.raises(ccxt.OrderNotFound):
        await exchange.cancel_order(order["id"], "ETH/USDT")
    assert [o["status"] for o in await exchange.fetch_orders("ETH/USDT")] == ["canceled"]


async def test_stop_loss_limit_triggers_on_forced_price(exchange: Any, sim: ExchangeSimulator) -> None:
    await exchange.load_markets()
    sim.set_price("BTCUSDT", 60_000, freeze=True)
    order = await exchange.create_order(
        "BTC/USDT", "limit", "sell", 0.1, 56_000, params={"stopLossPrice": 57_000}
    )
    assert order["info"]["type"] == "STOP_LOSS_LIMIT"
    with pytest.raises(ccxt.OrderImmediatelyFillable):  # stop au-dessus du marché : refusé
        await exchange.create_order(
            "BTC/USDT", "limit", "sell", 0.1, 61_000, params={"stopLossPrice": 61_000}
        )
    sim.set_price("BTCUSDT", 57_500, freeze=True)
    assert (await exchange.fetch_order(order["id"], "BTC/USDT"))["status"] == "open"
    sim.set_price("BTCUSDT", 56_900, freeze=True)
    done = await exchange.fetch_order(order["id"], "BTC/USDT")
    assert done["status"] == "closed" and done["average"] == 56_900  # déclenché puis exécuté (taker)
    assert (await exchange.fetch_balance())["BTC"]["total"] == pytest.approx(0.4)


async def test_error_codes_map_to_ccxt_exceptions(exchange: Any, sim: ExchangeSimulator) -> None:
    await exchange.load_markets()
    with pytest.raises(ccxt.InsufficientFunds):
        await exchange.create_order("BTC/USDT", "market", "buy", 1)
    with pytest.raises(ccxt.OrderNotFound):
        await exchange.fetch_order("987654", "BTC/USDT")
    with pytest.raises(ccxt.BadSymbol):
        await exchange.fetch_ticker("FOO/USDT")  # refusé par CCXT (marché inconnu)
    with pytest.raises(ccxt.BadSymbol):
        await exchange.public_get_ticker_price({"symbol": "FOOUSDT"})  # -1121 du serveur
    # NOTIONAL : Binance répond -1013 « Filter failure: NOTIONAL », que CCXT 4.5.90 classe
    # en BadRequest (seuls LOT_SIZE et PRICE_FILTER deviennent InvalidOrder).
    with pytest.raises(ccxt.BadRequest, match="Filter failure: NOTIONAL"):
        await exchange.create_order("BTC/USDT", "limit", "buy", 0.00001, 50_000)
    raw = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    with pytest.raises(ccxt.InvalidOrder, match="LOT_SIZE"):
        await exchange.private_post_order({**raw, "quantity": "0.000015", "price": "50000"})
    with pytest.raises(ccxt.InvalidOrder, match="PRICE_FILTER"):
        await exchange.private_post_order({**raw, "quantity": "0.001", "price": "50000.005"})


async def test_bad_secret_and_unknown_key_are_authentication_errors(sim: ExchangeSimulator) -> None:
    for key, secret in (("demo-api-key", "mauvais-secret"), ("cle-inconnue", "x")):
        client = make_ccxt_binance(sim.base_url, key, secret)
        try:
            with pytest.raises(ccxt.AuthenticationError):
                await client.fetch_balance()
        finally:
            await client.close()


async def test_timestamp_outside_recv_window_is_invalid_nonce(exchange: Any) -> None:
    await exchange.load_markets()
    exchange.options["timeDifference"] = 120_000  # horloge cliente 2 min en retard
    with pytest.raises(ccxt.InvalidNonce):
        await exchange.fetch_balance()


async def test_simulator_down_is_a_network_error(exchange: Any, sim: ExchangeSimulator) -> None:
    await exchange.load_markets()
    for mode in ("503", "drop"):
        await _admin(sim, "down", {"mode": mode})
        with pytest.raises(ccxt.NetworkError):
            await exchange.fetch_ticker("BTC/USDT")
    await _admin(sim, "up")
    assert (await exchange.fetch_ticker("BTC/USDT"))["last"] > 0


async def test_admin_account_creation_is_usable_by_ccxt(sim: ExchangeSimulator) -> None:
    await _admin(sim, "accounts", {"api_key": "k2", "api_secret": "s2", "balances": {"USDT": "25.5"}})
    client = make_ccxt_binance(sim.base_url, "k2", "s2")
    try:
        balance = await client.fetch_balance()
    finally:
        await client.close()
    assert balance["USDT"]["free"] == 25.5 and balance["BTC"]["free"] == 0.0
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{sim.base_url}/sim/accounts/k2") as resp:
            view = await resp.json()
        async with session.get(f"{sim.base_url}/sim/accounts/absent") as resp:
            assert resp.status == 404 and "detail" in await resp.json()
    assert view["api_key"] == "k2" and "api_secret" not in view


async def test_rest_requests_are_counted_by_endpoint(exchange: Any, sim: ExchangeSimulator) -> None:
    await exchange.load_markets()
    await exchange.fetch_balance()
    await exchange.fetch_ticker("BTC/USDT")
    await exchange.fetch_ticker("ETH/USDT")
    assert sim.requests == {
        "GET /api/v3/exchangeInfo": 1, "GET /api/v3/account": 1, "GET /api/v3/ticker/24hr": 2,
    }
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{sim.base_url}/sim/requests") as resp,
    ):
        view = await resp.json()
    assert view["total"] == 4 and view["by_endpoint"]["GET /api/v3/ticker/24hr"] == 2
    assert (await _admin(sim, "requests/reset"))["total"] == 4  # l'administration n'est pas comptée
    assert sim.requests_view() == {"total": 0, "by_endpoint": {}}
