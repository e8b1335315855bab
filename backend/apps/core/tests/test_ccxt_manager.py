"""Gestionnaire CCXT : une instance par broker, reconstruite si les clés changent, fermée proprement."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from apps.brokers.services import broker_delete
from apps.core.exceptions import AristobotError
from apps.core.services import ccxt_manager
from apps.core.services.ccxt_manager import (
    ExchangeCredentials,
    close_all,
    exchange_build,
    exchange_capabilities,
    exchange_get,
    exchanges_list,
    instances_count,
    public_exchange_get,
)
from apps.core.services.exchange_loop import exchange_loop_run
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, sim  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


async def test_concurrent_first_gets_share_one_instance(sim, make_broker) -> None:  # noqa: F811
    broker = await sync_to_async(make_broker)()
    instances = await asyncio.gather(*(exchange_get(broker=broker) for _ in range(20)))
    assert len({id(ex) for ex in instances}) == 1
    assert instances_count() == 1
    exchange = instances[0]
    assert exchange.apiKey == "demo-api-key" and exchange.enableRateLimit is True
    assert exchange.options["defaultType"] == "spot"
    assert exchange.options["fetchMarkets"]["types"] == ["spot"]
    await exchange.load_markets()
    assert await exchange_get(broker=broker) is exchange  # même instance, marchés en cache
    assert exchange.markets


async def test_instance_is_rebuilt_when_keys_or_testnet_change(sim, make_broker) -> None:  # noqa: F811
    broker = await sync_to_async(make_broker)()
    first = await exchange_get(broker=broker)
    assert await exchange_get(broker=broker) is first
    broker.api_secret = "un-autre-secret"
    second = await exchange_get(broker=broker)
    assert second is not first and second.secret == "un-autre-secret"
    broker.is_testnet = True
    third = await exchange_get(broker=broker)
    assert third is not second and third.isSandboxModeEnabled
    assert instances_count() == 1  # les anciennes sont retirées (fermées après un délai de grâce)
    await close_all()
    assert first.session is None and second.session is None and third.session is None


async def test_a_closed_instance_is_never_handed_out_again(sim, make_broker) -> None:  # noqa: F811
    """« instance was closed by the user » (502) : une instance fermée par ailleurs est remplacée."""
    broker = await sync_to_async(make_broker)()
    first = await exchange_get(broker=broker)
    await first.close()
    public = await public_exchange_get(exchange_id="binance")
    await public.close()
    second = await exchange_get(broker=broker)
    assert second is not first and not second.closed_by_user
    await second.fetch_balance()  # utilisable : aucune ExchangeClosedByUser
    fresh_public = await public_exchange_get(exchange_id="binance")
    assert fresh_public is not public
    await fresh_public.fetch_ticker("BTC/USDT")


async def test_close_all_closes_every_instance_of_the_loop(sim, make_broker) -> None:  # noqa: F811
    brokers = [await sync_to_async(make_broker)() for _ in range(2)]
    exchanges = [await exchange_get(broker=b) for b in brokers]
    public = await public_exchange_get(exchange_id="binance")
    for exchange in (*exchanges, public):
        await exchange.fetch_time()
        assert exchange.session is not None
    assert instances_count() == 3
    await close_all()
    assert instances_count() == 0
    assert all(ex.session is None for ex in (*exchanges, public))
    assert await exchange_get(broker=brokers[0]) is not exchanges[0]  # recréée à la demande


async def test_public_instance_is_keyless_and_shared(sim) -> None:  # noqa: F811
    public = await public_exchange_get(exchange_id="binance")
    assert await public_exchange_get(exchange_id="binance") is public
    assert not public.apiKey
    rows = await public.fetch_ohlcv("BTC/USDT", "1m", limit=5)
    assert len(rows) == 5


async def test_deleting_a_broker_closes_its_instance(sim, make_broker) -> None:  # noqa: F811
    broker = await sync_to_async(make_broker)()
    exchange = await exchange_get(broker=broker)
    await exchange.fetch_time()
    await sync_to_async(broker_delete)(broker=broker)
    for _ in range(100):
        if exchange.session is None:
            break
        await asyncio.sleep(0.05)
    assert instances_count() == 0
    assert exchange.session is None


async def test_instances_are_per_event_loop(sim, make_broker) -> None:  # noqa: F811
    broker = await sync_to_async(make_broker)()
    here = await exchange_get(broker=broker)

    async def _there() -> int:
        return id(await exchange_get(broker=broker))

    there = await asyncio.to_thread(exchange_loop_run, _there())
    assert there != id(here)  # une instance asynchrone ne sert que sur sa boucle
    await asyncio.to_thread(exchange_loop_run, close_all())


def test_every_binance_url_points_at_the_configured_base_even_on_testnet(settings) -> None:
    settings.ARISTOBOT_BINANCE_REST_URL = "http://127.0.0.1:9"
    live = exchange_build(credentials=ExchangeCredentials(exchange_id="binance"))
    testnet = exchange_build(credentials=ExchangeCredentials(exchange_id="binance", is_testnet=True))
    assert live.urls["api"]["public"] == "http://127.0.0.1:9/api/v3"
    assert live.urls["api"]["sapi"] == "http://127.0.0.1:9/sapi/v1"
    for exchange in (live, testnet):
        assert all(url.startswith("http://127.0.0.1:9/") for url in exchange.urls["api"].values())
    assert testnet.isSandboxModeEnabled
    assert testnet.urls["api"]["private"] == "http://127.0.0.1:9/api/v3"


def test_official_binance_url_keeps_the_real_testnet(settings) -> None:
    settings.ARISTOBOT_BINANCE_REST_URL = ccxt_manager.BINANCE_OFFICIAL_REST_URL
    testnet = exchange_build(credentials=ExchangeCredentials(exchange_id="binance", is_testnet=True))
    assert "testnet.binance.vision" in testnet.urls["api"]["public"]


def test_testnet_is_refused_in_french_where_ccxt_has_no_sandbox() -> None:
    without = next(row for row in exchanges_list() if not row["sandbox"])
    with pytest.raises(AristobotError) as info:
        exchange_build(credentials=ExchangeCredentials(exchange_id=without["id"], is_testnet=True))
    assert str(info.value) == (
        f"Le mode testnet n'est pas disponible pour {without['name']} dans CCXT."
    )


def test_capabilities_come_from_ccxt_metadata() -> None:
    assert exchange_capabilities("binance") == {
        "sandbox": True, "name": "Binance", "requires_password": False,
    }
    assert exchange_capabilities("okx")["requires_password"] is True
    with pytest.raises(AristobotError, match="Exchange inconnu de CCXT"):
        exchange_capabilities("pasunexchange")


def test_exchanges_endpoint_lists_ccxt_exchanges_with_flags(logged_client) -> None:
    client = logged_client()
    resp = client.get("/api/brokers/exchanges/")
    assert resp.status_code == 200
    rows = {row["id"]: row for row in resp.json()}
    assert rows["binance"] == {"id": "binance", "name": "Binance", "sandbox": True,
                               "requires_password": False}
    assert len(rows) > 50
    assert any(not row["sandbox"] for row in rows.values())
