"""Simulateur Binance : OCO, signatures brutes (requête / corps / mixte) et paramètres invalides."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import ccxt.async_support as ccxt
import pytest
import pytest_asyncio

from exchange_simulator import DEMO_API_KEY, DEMO_API_SECRET, ExchangeSimulator
from exchange_simulator.testing import make_ccxt_binance, running_simulator


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[ExchangeSimulator]:
    async with running_simulator(seed=5, symbols=["BTCUSDT", "ETHUSDT", "ETHBTC"]) as simulator:
        simulator.set_price("BTCUSDT", 60_000, freeze=True)
        yield simulator


@pytest_asyncio.fixture
async def exchange(sim: ExchangeSimulator) -> AsyncIterator[Any]:
    client = make_ccxt_binance(sim.base_url)
    await client.load_markets()
    try:
        yield client
    finally:
        await client.close()


def _signed(params: dict[str, Any]) -> str:
    query = urlencode({**params, "timestamp": int(time.time() * 1000)})
    signature = hmac.new(DEMO_API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    return f"{query}&signature={signature}"


async def test_order_list_oco_take_profit_leg_expires_the_stop(exchange: Any, sim: ExchangeSimulator) -> None:
    response = await exchange.private_post_orderlist_oco(
        {
            "symbol": "BTCUSDT",
            "side": "SELL",
            "quantity": "0.2",
            "aboveType": "LIMIT_MAKER",
            "abovePrice": "63000",
            "belowType": "STOP_LOSS_LIMIT",
            "belowStopPrice": "57000",
            "belowPrice": "56500",
            "belowTimeInForce": "GTC",
        }
    )
    assert response["contingencyType"] == "OCO" and response["listOrderStatus"] == "EXECUTING"
    assert {r["type"] for r in response["orderReports"]} == {"LIMIT_MAKER", "STOP_LOSS_LIMIT"}
    balance = await exchange.fetch_balance()
    assert balance["BTC"]["used"] == pytest.approx(0.2)  # bloqué une seule fois pour les deux jambes
    assert len(await exchange.fetch_open_orders("BTC/USDT")) == 2
    sim.set_price("BTCUSDT", 63_100, freeze=True)
    listed = await exchange.private_get_orderlist({"orderListId": response["orderListId"]})
    assert listed["listOrderStatus"] == "ALL_DONE"
    statuses = {}
    for leg in listed["orders"]:
        info = (await exchange.fetch_order(str(leg["orderId"]), "BTC/USDT"))["info"]
        statuses[info["type"]] = info["status"]
    assert statuses == {"LIMIT_MAKER": "FILLED", "STOP_LOSS_LIMIT": "EXPIRED"}
    balance = await exchange.fetch_balance()
    assert balance["BTC"]["total"] == pytest.approx(0.3) and balance["BTC"]["used"] == 0
    assert balance["USDT"]["total"] == pytest.approx(10_000 + 0.2 * 63_000 * 0.999)


async def test_legacy_oco_stop_leg_and_list_cancel(exchange: Any, sim: ExchangeSimulator) -> None:
    legacy = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "quantity": "0.1",
        "price": "65000",
        "stopPrice": "58000",
        "stopLimitPrice": "57900",
        "stopLimitTimeInForce": "GTC",
    }
    first = await exchange.private_post_order_oco(legacy)
    second = await exchange.private_post_order_oco(legacy)
    assert len(await exchange.private_get_openorderlist()) == 2
    canceled = await exchange.private_delete_orderlist(
        {"symbol": "BTCUSDT", "orderListId": second["orderListId"]}
    )
    assert canceled["listStatusType"] == "ALL_DONE"
    assert {r["status"] for r in canceled["orderReports"]} == {"CANCELED"}
    sim.set_price("BTCUSDT", 57_950, freeze=True)  # déclenche le stop, fille à 57 950 ≥ 57 900
    every = await exchange.private_get_allorders({"symbol": "BTCUSDT"})
    legs = {leg["type"]: leg["status"] for leg in every if leg["orderListId"] == first["orderListId"]}
    assert legs == {"STOP_LOSS_LIMIT": "FILLED", "LIMIT_MAKER": "EXPIRED"}
    done = await exchange.private_get_orderlist({"orderListId": first["orderListId"]})
    assert done["listOrderStatus"] == "ALL_DONE"
    assert await exchange.private_get_openorderlist() == []
    with pytest.raises(ccxt.InvalidOrder):  # prix incohérents : TP sous le marché
        await exchange.private_post_order_oco({**legacy, "price": "50000"})


async def test_cancel_all_open_orders_and_limit_maker(exchange: Any) -> None:
    await exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 55_000)
    await exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 54_000, params={"postOnly": True})
    with pytest.raises(ccxt.OrderImmediatelyFillable):  # LIMIT_MAKER qui prendrait la liquidité
        await exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 61_000, params={"postOnly": True})
    canceled = await exchange.cancel_all_orders("BTC/USDT")
    assert len(canceled) == 2 and await exchange.fetch_open_orders("BTC/USDT") == []
    with pytest.raises(ccxt.OrderNotFound):  # Binance : -2011 quand il n'y a plus rien à annuler
        await exchange.cancel_all_orders("BTC/USDT")


async def test_signature_in_query_body_or_both(sim: ExchangeSimulator) -> None:
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}
    headers = {"X-MBX-APIKEY": DEMO_API_KEY, "Content-Type": "application/x-www-form-urlencoded"}
    url = f"{sim.base_url}/api/v3/order"
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.post(f"{url}?{_signed(order)}") as resp:  # tout dans la requête
            assert resp.status == 200 and (await resp.json())["status"] == "FILLED"
        async with session.post(url, data=_signed(order)) as resp:  # tout dans le corps
            assert resp.status == 200
        head = urlencode({"symbol": "BTCUSDT", "side": "BUY"})
        body = urlencode({"type": "MARKET", "quantity": "0.001", "timestamp": int(time.time() * 1000)})
        signature = hmac.new(DEMO_API_SECRET.encode(), (head + body).encode(), hashlib.sha256).hexdigest()
        async with session.post(f"{url}?{head}", data=f"{body}&signature={signature}") as resp:
            assert resp.status == 200, await resp.text()  # mixte : requête + corps concaténés sans « & »
        async with session.post(url, data=_signed(order).replace("BUY", "SELL")) as resp:
            assert resp.status == 400
            assert await resp.json() == {"code": -1022, "msg": "Signature for this request is not valid."}
        async with session.get(f"{sim.base_url}/api/v3/account?timestamp=1") as resp:
            assert (await resp.json())["code"] == -1102  # signature manquante
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{sim.base_url}/api/v3/account?{_signed({})}") as resp,
    ):
        assert resp.status == 401 and (await resp.json())["code"] == -2014


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"side": "BUY", "type": "LIMIT", "quantity": "0.001", "price": "50000"}, -1102),
        ({"side": "BUY", "type": "MARKET"}, -1102),
        ({"side": "BUY", "type": "MARKET", "quantity": "abc"}, -1100),
        ({"side": "BUY", "type": "MARKET", "quantity": "0.000000001"}, -1111),
        ({"side": "HOLD", "type": "MARKET", "quantity": "0.001"}, -1117),
        ({"side": "BUY", "type": "ICEBERG", "quantity": "0.001"}, -1116),
        ({"side": "BUY", "type": "MARKET", "quantity": "0.001", "timeInForce": "GTC"}, -1114),
        ({"side": "BUY", "type": "LIMIT", "quantity": "0.001", "price": "5e4", "timeInForce": "GTC"}, -1100),
    ],
)
async def test_malformed_orders_get_binance_codes(
    sim: ExchangeSimulator, params: dict[str, str], code: int
) -> None:
    headers = {"X-MBX-APIKEY": DEMO_API_KEY}
    async with aiohttp.ClientSession(headers=headers) as session:
        data = _signed({"symbol": "BTCUSDT", **params})
        async with session.post(f"{sim.base_url}/api/v3/order", data=data) as resp:
            body = await resp.json()
    assert resp.status == 400 and body["code"] == code, body


async def test_public_endpoints_formats(sim: ExchangeSimulator) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{sim.base_url}/api/v3/klines?symbol=BTCUSDT&interval=10m") as resp:
            assert await resp.json() == {"code": -1120, "msg": "Invalid interval."}
        async with session.get(f"{sim.base_url}/api/v3/ticker/price") as resp:
            prices = await resp.json()
        async with session.get(f"{sim.base_url}/api/v3/klines?symbol=ETHBTC&interval=1h") as resp:
            rows = await resp.json()
        async with session.get(f"{sim.base_url}/api/v3/exchangeInfo?symbol=ETHBTC") as resp:
            info = (await resp.json())["symbols"]
        async with session.get(f"{sim.base_url}/api/v3/depth?symbol=BTCUSDT&limit=5") as resp:
            depth = await resp.json()
    assert {p["symbol"] for p in prices} == {"BTCUSDT", "ETHUSDT", "ETHBTC"}
    assert next(p for p in prices if p["symbol"] == "BTCUSDT")["price"] == "60000.00000000"
    assert len(rows) == 500 and len(rows[0]) == 12 and rows[0][11] == "0"
    assert all(isinstance(v, str) for v in rows[-1][1:6]) and rows[-1][6] == rows[-1][0] + 3_600_000 - 1
    filters = {f["filterType"] for f in info[0]["filters"]}
    assert {"PRICE_FILTER", "LOT_SIZE", "NOTIONAL"} <= filters and info[0]["quoteAsset"] == "BTC"
    assert info[0]["orderTypes"] == [
        "LIMIT",
        "LIMIT_MAKER",
        "MARKET",
        "STOP_LOSS",
        "STOP_LOSS_LIMIT",
        "TAKE_PROFIT",
        "TAKE_PROFIT_LIMIT",
    ]
    assert depth["bids"][0][0] == "60000.00000000" and float(depth["asks"][0][0]) > 60_000
