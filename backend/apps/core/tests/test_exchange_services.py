"""Services d'exchange contre le simulateur (vrai CCXT, loopback) : soldes, marchés, bougies, pannes."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from exchange_simulator.testing import running_simulator

from apps.core import groups
from apps.core.exceptions import AristobotError
from apps.core.services.ccxt_manager import ExchangeCredentials, temporary_exchange
from apps.core.services.exchange import balance_fetch, balance_fetch_on, open_orders_fetch, ticker_fetch
from apps.core.tests.exchange_fixtures import (  # noqa: F401
    CCXT_TEST_TIMEOUT_MS,
    exchange_cleanup,
    make_broker,
    sim,
)
from apps.market_data.messages import MSG_PAIRS_PROGRESS
from apps.market_data.models import MarketSymbol, MarketSymbolsJob
from apps.market_data.services import markets_load

pytestmark = pytest.mark.django_db(transaction=True)


def _creds(key: str = "demo-api-key", secret: str = "demo-api-secret") -> ExchangeCredentials:
    return ExchangeCredentials(exchange_id="binance", api_key=key, api_secret=secret)


async def test_balance_is_valued_in_usd_directly_via_btc_or_left_null(settings) -> None:
    async with running_simulator(seed=3, symbols=["BTCUSDT", "ETHBTC"]) as simulator:
        settings.ARISTOBOT_BINANCE_REST_URL = simulator.base_url
        settings.ARISTOBOT_CCXT_TIMEOUT_MS = CCXT_TEST_TIMEOUT_MS
        simulator.set_account("val-key", "val-secret",
                              {"USDT": "1000", "BTC": "0.5", "ETH": "2", "ZZZ": "7", "USDC": "0"})
        simulator.set_price("BTCUSDT", "60000", freeze=True)
        simulator.set_price("ETHBTC", "0.05", freeze=True)
        async with temporary_exchange(credentials=_creds("val-key", "val-secret")) as exchange:
            result = await balance_fetch_on(exchange)
    rows = {row["asset"]: row for row in result["balances"]}
    assert set(rows) == {"USDT", "BTC", "ETH", "ZZZ"}  # les soldes nuls sont omis
    assert rows["USDT"]["usd_price"] == 1 and rows["USDT"]["usd_value"] == 1000
    assert rows["BTC"]["usd_value"] == Decimal("30000")
    assert rows["ETH"]["usd_price"] == Decimal("3000")  # ETH/BTC × BTC/USDT
    assert rows["ZZZ"]["usd_price"] is None and rows["ZZZ"]["usd_value"] is None
    assert result["total_usd"] == Decimal("37000")
    assert result["balances"][0]["asset"] == "BTC"  # trié par valeur décroissante


async def test_broker_balance_uses_the_shared_instance(sim, make_broker) -> None:  # noqa: F811
    broker = await sync_to_async(make_broker)()
    result = await balance_fetch(broker=broker)
    assets = {row["asset"]: row for row in result["balances"]}
    assert assets["USDT"]["total"] == Decimal("10000") and assets["BTC"]["total"] == Decimal("0.5")
    assert result["total_usd"] > Decimal("10000")
    assert all(row["usd_value"] is not None for row in result["balances"])


@pytest.mark.parametrize(
    ("key", "secret", "cause"),
    [
        ("demo-api-key", "mauvais-secret", "Signature for this request is not valid."),
        ("cle-inconnue", "demo-api-secret", "Invalid API-key, IP, or permissions for action."),
    ],
)
async def test_bad_keys_give_a_french_connection_error(sim, key, secret, cause) -> None:  # noqa: F811
    async with temporary_exchange(credentials=_creds(key, secret)) as exchange:
        with pytest.raises(AristobotError) as info:
            await balance_fetch_on(exchange)
    assert info.value.message == f"Erreur de connexion à Binance : {cause}"
    assert info.value.status_code == 400


@pytest.mark.parametrize("mode", ["503", "drop"])
async def test_a_down_exchange_gives_a_clear_french_error(sim, make_broker, mode) -> None:  # noqa: F811
    broker = await sync_to_async(make_broker)()
    sim.set_down(mode)
    with pytest.raises(AristobotError) as info:
        await balance_fetch(broker=broker)
    assert info.value.message.startswith("Binance injoignable : ")
    assert info.value.status_code == 502
    sim.set_down(None)
    assert (await balance_fetch(broker=broker))["total_usd"] > 0  # rétabli, même instance


async def test_a_stopped_exchange_gives_a_clear_french_error(settings, make_broker) -> None:  # noqa: F811
    async with running_simulator(seed=1) as simulator:
        url = simulator.base_url
    settings.ARISTOBOT_BINANCE_REST_URL = url  # plus personne n'écoute sur ce port
    broker = await sync_to_async(make_broker)()
    with pytest.raises(AristobotError, match=r"^Binance injoignable : "):
        await ticker_fetch(broker=broker, symbol="BTC/USDT")


async def test_ticker_accepts_binance_or_ccxt_symbols(sim, make_broker) -> None:  # noqa: F811
    broker = await sync_to_async(make_broker)()
    sim.set_price("BTCUSDT", "61234.5", freeze=True)
    for symbol in ("BTC/USDT", "BTCUSDT", "btc-usdt"):
        ticker = await ticker_fetch(broker=broker, symbol=symbol)
        assert ticker["symbol"] == "BTC/USDT" and ticker["last"] == Decimal("61234.5")
    with pytest.raises(AristobotError) as info:
        await ticker_fetch(broker=broker, symbol="FOO/USDT")
    assert info.value.message == "Symbole inconnu sur Binance : FOO/USDT"
    assert await open_orders_fetch(broker=broker, symbol="BTC/USDT") == []
    assert await open_orders_fetch(broker=broker) == []


async def test_markets_load_fills_market_symbols_idempotently(sim) -> None:  # noqa: F811
    await MarketSymbol.objects.acreate(exchange="binance", symbol="OLD/USDT", exchange_symbol="OLDUSDT",
                                       base="OLD", quote="USDT", active=True)
    job = await markets_load(exchange_id="binance")
    assert job.status == MarketSymbolsJob.Status.DONE and job.progress == 100
    assert job.total == len(sim.specs) == job.created_count
    assert job.deactivated_count == 1
    active = MarketSymbol.objects.filter(exchange="binance", active=True)
    assert await active.acount() == len(sim.specs)
    btc = await MarketSymbol.objects.aget(exchange="binance", symbol="BTC/USDT")
    assert (btc.exchange_symbol, btc.base, btc.quote, btc.market_type) == ("BTCUSDT", "BTC", "USDT", "spot")
    assert btc.amount_precision == Decimal("0.00001") and btc.price_precision == Decimal("0.01")
    assert btc.min_amount == Decimal("0.00001") and btc.min_cost == Decimal("5")
    assert not (await MarketSymbol.objects.aget(symbol="OLD/USDT")).active

    again = await markets_load(exchange_id="binance")
    assert again.status == MarketSymbolsJob.Status.DONE
    assert (again.created_count, again.updated_count, again.deactivated_count) == (0, len(sim.specs), 0)
    assert await MarketSymbol.objects.filter(exchange="binance").acount() == len(sim.specs) + 1


async def test_markets_load_pushes_progress_to_the_user_group(sim, make_user) -> None:  # noqa: F811
    user = await sync_to_async(make_user)()
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(groups.user_group(user.pk), channel)
    job = await MarketSymbolsJob.objects.acreate(exchange="binance", user=user)
    await markets_load(exchange_id="binance", job_id=job.pk)
    seen = []
    while not seen or seen[-1]["status"] != "done":
        event = await asyncio.wait_for(layer.receive(channel), timeout=5)
        assert event["type"] == MSG_PAIRS_PROGRESS
        seen.append(event["job"])
    assert [e["progress"] for e in seen] == sorted(e["progress"] for e in seen)
    assert seen[-1]["progress"] == 100 and seen[-1]["id"] == job.pk


async def test_markets_load_failure_is_recorded_in_french(sim) -> None:  # noqa: F811
    sim.set_down("503")
    job = await markets_load(exchange_id="binance")
    assert job.status == MarketSymbolsJob.Status.ERROR
    assert job.error.startswith("Binance injoignable : ")
    assert await MarketSymbol.objects.acount() == 0


async def test_heartbeat_socket_relays_pairs_progress_to_its_user(sim, make_user) -> None:  # noqa: F811
    from channels.testing import WebsocketCommunicator

    from apps.core.consumers import LiveConsumer

    user = await sync_to_async(make_user)()
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/heartbeat/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "status.update"
    job = await MarketSymbolsJob.objects.acreate(exchange="binance", user=user)
    await markets_load(exchange_id="binance", job_id=job.pk)
    progress = []
    while not progress or progress[-1] < 100:
        message = await communicator.receive_json_from(timeout=5)
        if message["type"] == MSG_PAIRS_PROGRESS:
            progress.append(message["job"]["progress"])
    assert progress[0] == 5 and progress[-1] == 100
    await communicator.disconnect()
