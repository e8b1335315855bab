"""Ordres contre le simulateur : journal `Trade` avant l'envoi, contrôles, erreurs françaises, délais."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
from asgiref.sync import sync_to_async

from apps.core.exceptions import AristobotError
from apps.core.services.ccxt_manager import exchange_get
from apps.core.services.exchange import open_orders_fetch
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, sim  # noqa: F401
from apps.trading.models import Trade
from apps.trading.services import orders as orders_module
from apps.trading.services.orders import order_cancel, order_fetch, order_place

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "s3cret-de-test"


@pytest.fixture
def account(sim, make_broker):  # noqa: ANN001, ANN201, F811
    """Fabrique : compte du simulateur avec ces soldes + broker correspondant (BTC figé à 60 000)."""
    sim.set_price("BTCUSDT", "60000", freeze=True)

    async def _make(balances: dict[str, str] | None = None, *, secret: str = SECRET) -> Any:
        key = f"key-{uuid.uuid4().hex[:10]}"
        sim.set_account(key, SECRET, balances or {"USDT": "10000", "BTC": "1"})
        broker = await sync_to_async(make_broker)(api_key=key, api_secret=secret)
        return broker

    return _make


def _orders(sim, broker) -> list[Any]:  # noqa: ANN001, F811
    return [o for o in sim.engine.orders.values() if o.api_key == broker.api_key]


async def test_market_buy_by_quantity_is_filled_and_journaled(sim, account) -> None:  # noqa: F811
    broker = await account()
    trade = await order_place(broker=broker, symbol="BTCUSDT", side="buy", quantity="0.001")
    (order,) = _orders(sim, broker)
    stored = await Trade.objects.aget(pk=trade.pk)
    assert stored.status == Trade.Status.FILLED and stored.source == Trade.Source.MANUAL
    assert stored.symbol == "BTC/USDT" and stored.exchange == "binance" and stored.user_id == broker.user_id
    assert stored.client_order_id == order.client_order_id and stored.exchange_order_id == str(order.order_id)
    assert stored.requested_quantity == Decimal("0.001") and stored.quantity == Decimal("0.001")
    assert stored.price == Decimal("60000") and stored.cost == Decimal("60")
    assert (stored.fee, stored.fee_asset, stored.fee_quote) == (Decimal("0.000001"), "BTC", Decimal("0.06"))
    assert stored.executed_at is not None and stored.error_message == ""
    assert stored.raw_response["status"] == "FILLED"


async def test_market_buy_by_quote_amount_sends_quote_order_qty(sim, account) -> None:  # noqa: F811
    broker = await account()
    trade = await order_place(broker=broker, symbol="BTC/USDT", side="buy", quote_amount=100,
                              source=Trade.Source.WEBHOOK, role=Trade.Role.ENTRY)
    (order,) = _orders(sim, broker)
    assert order.orig_quote_qty == Decimal("100")
    assert trade.status == Trade.Status.FILLED and trade.requested_quote_amount == Decimal("100")
    assert trade.quantity == Decimal("0.00166") and trade.cost == Decimal("99.6")
    assert (trade.source, trade.role) == ("webhook", "entry")


async def test_market_sell_by_quantity_and_by_quote(sim, account) -> None:  # noqa: F811
    broker = await account()
    by_qty = await order_place(broker=broker, symbol="BTC/USDT", side="sell", quantity=Decimal("0.01"))
    assert by_qty.status == Trade.Status.FILLED and by_qty.cost == Decimal("600")
    assert (by_qty.fee, by_qty.fee_asset, by_qty.fee_quote) == (Decimal("0.6"), "USDT", Decimal("0.6"))
    by_quote = await order_place(broker=broker, symbol="BTC/USDT", side="sell", quote_amount="120")
    assert by_quote.status == Trade.Status.FILLED and by_quote.quantity == Decimal("0.002")
    assert len(_orders(sim, broker)) == 2


async def test_limit_buy_stays_open_then_fills_when_the_price_crosses(sim, account) -> None:  # noqa: F811
    broker = await account()
    trade = await order_place(broker=broker, symbol="BTC/USDT", side="buy", order_type="limit",
                              quote_amount="118", price="59000.004")
    assert trade.status == Trade.Status.OPEN and trade.quantity == 0
    assert trade.requested_price == Decimal("59000.004")
    (order,) = _orders(sim, broker)
    assert order.price == Decimal("59000") and order.orig_qty == Decimal("0.002")  # arrondis CCXT
    sim.set_price("BTCUSDT", "58900", freeze=True)
    summary = await order_fetch(broker=broker, symbol="BTC/USDT", exchange_order_id=trade.exchange_order_id)
    assert summary["status"] == "closed"
    await trade.arefresh_from_db()
    assert trade.status == Trade.Status.FILLED and trade.price == Decimal("59000")
    assert trade.cost == Decimal("118") and trade.quantity == Decimal("0.002")
    # GET order ne donne pas les frais : ils sont lus dans les exécutions de l'ordre
    assert (trade.fee, trade.fee_asset, trade.fee_quote) == (Decimal("0.000002"), "BTC", Decimal("0.118"))


async def test_open_limit_order_can_be_listed_and_canceled(sim, account) -> None:  # noqa: F811
    broker = await account()
    trade = await order_place(broker=broker, symbol="BTC/USDT", side="buy", order_type="limit",
                              quantity="0.01", price="50000")
    assert sim.engine.accounts[broker.api_key].balance("USDT").locked == Decimal("500")
    (listed,) = await open_orders_fetch(broker=broker, symbol="BTCUSDT")
    assert listed["id"] == trade.exchange_order_id and listed["client_order_id"] == trade.client_order_id
    canceled = await order_cancel(broker=broker, exchange_order_id=trade.exchange_order_id,
                                  symbol="BTC/USDT")
    assert canceled["status"] == "canceled"
    await trade.arefresh_from_db()
    assert trade.status == Trade.Status.CANCELED
    assert await open_orders_fetch(broker=broker) == []
    assert sim.engine.accounts[broker.api_key].balance("USDT").locked == 0
    with pytest.raises(AristobotError) as info:
        await order_cancel(broker=broker, exchange_order_id=trade.exchange_order_id, symbol="BTC/USDT")
    assert info.value.message.startswith("Ordre ")  # refus d'annulation traduit


async def test_insufficient_balance_is_journaled_as_error_in_french(sim, account) -> None:  # noqa: F811
    broker = await account({"USDT": "10"})
    trade = await order_place(broker=broker, symbol="BTC/USDT", side="buy", quantity="0.01")
    assert trade.status == Trade.Status.ERROR
    assert trade.error_message == (
        "Solde insuffisant sur Binance : Account has insufficient balance for requested action."
    )
    assert (await Trade.objects.aget(pk=trade.pk)).status == Trade.Status.ERROR


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quote_amount": "1"},
         "Montant trop faible : minimum 5 USDT sur Binance pour BTC/USDT (ordre de 1 USDT)."),
        # Nombres des messages au format français (virgule décimale), jamais « 0.5714 ».
        ({"quantity": "0.00001", "order_type": "limit", "price": "57140"},
         "Montant trop faible : minimum 5 USDT sur Binance pour BTC/USDT (ordre de 0,5714 USDT)."),
        ({"quantity": "0.00002"},
         "Montant trop faible : minimum 5 USDT sur Binance pour BTC/USDT (ordre de 1,2 USDT)."),
        ({"quantity": "0.0001", "order_type": "limit", "price": "40000"},
         "Montant trop faible : minimum 5 USDT sur Binance pour BTC/USDT (ordre de 4 USDT)."),
        ({"quantity": "0.000001"},
         "Quantité trop faible : 0,000001 BTC est sous la précision de Binance pour BTC/USDT "
         "(pas de 0,00001)."),
    ],
)
async def test_orders_below_exchange_minimums_are_never_sent(sim, account, kwargs, message) -> None:  # noqa: F811
    broker = await account()
    trade = await order_place(broker=broker, symbol="BTC/USDT", side="buy", **kwargs)
    assert trade.status == Trade.Status.ERROR and trade.error_message == message
    assert _orders(sim, broker) == []


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"quantity": "0"}, "Quantité invalide : elle doit être strictement positive"),
        ({"quantity": "-1"}, "Quantité invalide"),
        ({"quote_amount": "abc"}, "Montant invalide : nombre attendu"),
        ({}, "un seul des deux"),
        ({"quantity": "1", "quote_amount": "5"}, "un seul des deux"),
        ({"quantity": "1", "order_type": "limit"}, "Prix limite manquant"),
        ({"quantity": "1", "side": "hold"}, "Sens d'ordre invalide"),
        ({"quantity": "1", "order_type": "stop"}, "Type d'ordre invalide"),
    ],
)
async def test_invalid_arguments_are_refused_without_journal(sim, account, kwargs, fragment) -> None:  # noqa: F811
    broker = await account()
    kwargs = {"side": "buy", **kwargs}
    with pytest.raises(AristobotError, match=fragment):
        await order_place(broker=broker, symbol="BTC/USDT", **kwargs)
    assert await Trade.objects.acount() == 0


async def test_unknown_symbol_bad_keys_and_down_exchange_are_journaled(sim, account) -> None:  # noqa: F811
    broker = await account()
    unknown = await order_place(broker=broker, symbol="FOO/USDT", side="buy", quantity="1")
    assert (unknown.status, unknown.symbol) == (Trade.Status.ERROR, "FOO/USDT")
    assert unknown.error_message == "Symbole inconnu sur Binance : FOO/USDT"
    bad = await account(secret="pas-le-bon-secret")
    refused = await order_place(broker=bad, symbol="BTC/USDT", side="buy", quantity="0.001")
    assert refused.status == Trade.Status.ERROR
    assert refused.error_message == "Erreur de connexion à Binance : Signature for this request is not valid."
    other = await account()
    sim.set_down("503")
    down = await order_place(broker=other, symbol="BTC/USDT", side="buy", quantity="0.001")
    assert down.status == Trade.Status.ERROR and down.error_message.startswith("Binance injoignable : ")
    assert await Trade.objects.acount() == 3 and _orders(sim, broker) == []


async def _admin(base_url: str, path: str, payload: dict[str, Any]) -> Any:
    url = f"{base_url}/sim/{path}"
    async with aiohttp.ClientSession() as session, session.post(url, json=payload) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.json()


async def test_timeout_on_creation_is_resolved_by_client_order_id_without_resending(
    sim, account, settings  # noqa: F811
) -> None:
    settings.ARISTOBOT_CCXT_TIMEOUT_MS = 1000
    broker = await account()
    await (await exchange_get(broker=broker)).load_markets()
    # Réponse retardée (après traitement) au-delà du délai CCXT : la réponse de création est perdue.
    await _admin(sim.base_url, "latency", {"ms": 1600})
    task = asyncio.create_task(
        order_place(broker=broker, symbol="BTC/USDT", side="buy", quote_amount="100")
    )
    await asyncio.sleep(0.4)
    pending = await Trade.objects.aget()
    assert pending.status == Trade.Status.PENDING and pending.client_order_id  # écrit AVANT l'envoi
    await asyncio.sleep(0.8)  # délai CCXT (1 s) dépassé : l'ordre est recherché, pas renvoyé
    await _admin(sim.base_url, "latency", {"ms": 0})
    trade = await asyncio.wait_for(task, timeout=15)
    (order,) = _orders(sim, broker)  # exactement un ordre côté exchange
    assert trade.status == Trade.Status.FILLED and trade.exchange_order_id == str(order.order_id)
    assert order.client_order_id == trade.client_order_id == pending.client_order_id
    assert trade.cost == Decimal("99.6") and trade.error_message == ""
    assert (trade.fee, trade.fee_asset) == (Decimal("0.00000166"), "BTC")
    assert "délai dépassé" in trade.raw_response["aristobot_recovered_after"]


async def test_lost_response_that_cannot_be_checked_leaves_status_unknown(
    sim, account, monkeypatch  # noqa: F811
) -> None:
    monkeypatch.setattr(orders_module, "LOOKUP_DELAYS", (0.05, 0.05))
    broker = await account()
    await (await exchange_get(broker=broker)).load_markets()
    sim.set_down("drop")  # connexion coupée sans réponse : l'ordre a pu partir
    trade = await order_place(broker=broker, symbol="BTC/USDT", side="buy", quote_amount="100")
    assert trade.status == Trade.Status.UNKNOWN
    assert trade.error_message.startswith("Binance injoignable : ")
    assert "statut inconnu, à vérifier sur Binance" in trade.error_message
    sim.set_down(None)
    with pytest.raises(AristobotError) as info:
        await order_fetch(broker=broker, symbol="BTC/USDT", client_order_id=trade.client_order_id)
    assert info.value.status_code == 404 and info.value.message.startswith("Ordre introuvable sur Binance")
