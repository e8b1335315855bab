"""Le venue papier contre le simulateur (vrai CCXT, prix publics) : exécutions, soldes en base,
règles de l'exchange, erreurs françaises, et AUCUN appel à un endpoint privé."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import ccxt
import pytest
from asgiref.sync import sync_to_async

from apps.brokers.journal import broker_journal_catch_up
from apps.brokers.models import PaperBalance, PaperOrder
from apps.brokers.paper import ledger
from apps.brokers.tests.paper_fixtures import make_paper_broker, private_requests  # noqa: F401
from apps.core.exceptions import AristobotError
from apps.core.services.ccxt_manager import exchange_get
from apps.core.services.exchange import balance_fetch, open_orders_fetch, ticker_fetch
from apps.core.services.exchange_errors import exchange_call
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, sim  # noqa: F401
from apps.trading.models import Trade
from apps.trading.services.orders import order_cancel, order_fetch, order_place

pytestmark = pytest.mark.django_db(transaction=True)

ASK = Decimal("60000.01")  # simulateur : bid = prix courant, ask = bid + un pas de cotation


@pytest.fixture
def paper(sim, make_paper_broker):  # noqa: ANN001, ANN201, F811
    """Broker papier (BTC figé à 60 000) ; le compteur de requêtes du simulateur part de zéro."""
    sim.set_price("BTCUSDT", "60000", freeze=True)

    async def _make(**fields):  # noqa: ANN003, ANN202
        broker = await sync_to_async(make_paper_broker)(**fields)
        sim.requests_reset()
        return broker

    return _make


async def _balances(broker) -> dict[str, tuple[Decimal, Decimal]]:  # noqa: ANN001
    return {row.asset: (row.free, row.locked) async for row in PaperBalance.objects.filter(broker=broker)}


async def test_market_buy_moves_the_paper_balance_and_reaches_no_private_endpoint(sim, paper) -> None:  # noqa: F811
    broker = await paper()
    assert await _balances(broker) == {"USDT": (Decimal("10000"), 0)}
    trade = await order_place(broker=broker, symbol="BTCUSDT", side="buy", quantity="0.01")
    assert (trade.status, trade.is_paper, trade.symbol) == (Trade.Status.FILLED, True, "BTC/USDT")
    assert trade.price == ASK and trade.cost == Decimal("600.0001") and trade.quantity == Decimal("0.01")
    assert (trade.fee, trade.fee_asset) == (Decimal("0.00001"), "BTC")  # frais taker 0,1 % en base
    assert await _balances(broker) == {"USDT": (Decimal("9399.9999"), 0), "BTC": (Decimal("0.00999"), 0)}
    valued = await balance_fetch(broker=broker)
    assert {row["asset"]: row["total"] for row in valued["balances"]} == {
        "USDT": Decimal("9399.9999"), "BTC": Decimal("0.00999")}
    assert valued["total_usd"] == Decimal("9399.9999") + Decimal("0.00999") * 60000
    assert sim.requests and private_requests(sim.requests) == {}
    assert sim.engine.orders == {}  # rien n'est arrivé au moteur d'ordres de l'exchange


async def test_market_buy_by_amount_sell_and_sell_fees_in_quote(sim, paper) -> None:  # noqa: F811
    broker = await paper()
    buy = await order_place(broker=broker, symbol="BTC/USDT", side="buy", quote_amount="100")
    assert buy.status == Trade.Status.FILLED and buy.quantity == Decimal("0.00166")  # tronqué au pas
    assert buy.cost == (Decimal("0.00166") * ASK).quantize(Decimal("1e-12"))
    sell = await order_place(broker=broker, symbol="BTC/USDT", side="sell", quantity="0.0016")
    assert sell.status == Trade.Status.FILLED and sell.price == Decimal("60000")  # au bid
    assert (sell.cost, sell.fee, sell.fee_asset) == (Decimal("96"), Decimal("0.096"), "USDT")
    assert sell.profit_loss is not None and sell.profit_loss < 0  # P&L des ventes manuelles
    balances = await _balances(broker)
    assert balances["BTC"] == (Decimal("0.00166") - Decimal("0.00000166") - Decimal("0.0016"), 0)
    assert balances["USDT"] == (Decimal("10000") - buy.cost + Decimal("96") - Decimal("0.096"), 0)
    assert private_requests(sim.requests) == {}


async def test_limit_order_rests_then_fills_when_the_simulator_price_crosses(sim, paper) -> None:  # noqa: F811
    broker = await paper()
    trade = await order_place(broker=broker, symbol="BTC/USDT", side="buy", order_type="limit",
                              quantity="0.01", price="59000")
    assert (trade.status, trade.quantity) == (Trade.Status.OPEN, 0)
    assert await _balances(broker) == {"USDT": (Decimal("9410"), Decimal("590"))}
    (listed,) = await open_orders_fetch(broker=broker, symbol="BTCUSDT")
    assert listed["id"] == trade.exchange_order_id and listed["client_order_id"] == trade.client_order_id
    sim.set_price("BTCUSDT", "59100", freeze=True)  # pas encore croisé
    assert await broker_journal_catch_up(broker=broker) == 0
    assert (await PaperOrder.objects.aget(pk=trade.exchange_order_id)).status == "open"
    sim.set_price("BTCUSDT", "58990", freeze=True)
    # Les lectures (prix, solde, ordres ouverts, ordre) n'exécutent rien : elles n'écrivent jamais.
    await ticker_fetch(broker=broker, symbol="BTC/USDT")
    await balance_fetch(broker=broker)
    assert len(await open_orders_fetch(broker=broker)) == 1
    summary = await order_fetch(broker=broker, symbol="BTC/USDT", exchange_order_id=trade.exchange_order_id)
    assert summary["status"] == "open"
    assert await _balances(broker) == {"USDT": (Decimal("9410"), Decimal("590"))}
    assert await broker_journal_catch_up(broker=broker, symbol="BTCUSDT") == 1  # rapproché puis relu
    assert await _balances(broker) == {"USDT": (Decimal("9410"), 0), "BTC": (Decimal("0.00999"), 0)}
    await trade.arefresh_from_db()
    assert (trade.status, trade.price, trade.cost) == (Trade.Status.FILLED, Decimal("59000"), Decimal("590"))
    assert (trade.fee, trade.fee_asset) == (Decimal("0.00001"), "BTC")  # maker, au prix limite
    assert await open_orders_fetch(broker=broker) == []
    assert private_requests(sim.requests) == {}


async def test_marketable_limit_fills_at_once_at_the_best_price(sim, paper) -> None:  # noqa: F811
    broker = await paper()
    trade = await order_place(broker=broker, symbol="BTC/USDT", side="buy", order_type="limit",
                              quantity="0.01", price="61000")
    assert (trade.status, trade.price) == (Trade.Status.FILLED, ASK)
    assert await _balances(broker) == {"USDT": (Decimal("9399.9999"), 0), "BTC": (Decimal("0.00999"), 0)}


async def test_cancel_releases_the_locked_balance_and_a_second_cancel_is_refused(sim, paper) -> None:  # noqa: F811
    broker = await paper(paper_initial_balances={"USDT": Decimal("100"), "BTC": Decimal("1")})
    trade = await order_place(broker=broker, symbol="BTC/USDT", side="sell", order_type="limit",
                              quantity="0.5", price="70000")
    assert trade.status == Trade.Status.OPEN
    assert (await _balances(broker))["BTC"] == (Decimal("0.5"), Decimal("0.5"))
    canceled = await order_cancel(broker=broker, exchange_order_id=trade.exchange_order_id, symbol="BTC/USDT")
    assert canceled["status"] == "canceled"
    await trade.arefresh_from_db()
    assert trade.status == Trade.Status.CANCELED
    assert (await _balances(broker))["BTC"] == (Decimal("1"), 0)
    with pytest.raises(AristobotError) as info:
        await order_cancel(broker=broker, exchange_order_id=trade.exchange_order_id, symbol="BTC/USDT")
    assert info.value.status_code == 404
    assert info.value.message == "Ordre introuvable sur Binance (papier) : Unknown order sent."


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quote_amount": "1"},
         "Montant trop faible : minimum 5 USDT sur Binance (papier) pour BTC/USDT (ordre de 1 USDT)."),
        ({"quantity": "0.00002"},
         "Montant trop faible : minimum 5 USDT sur Binance (papier) pour BTC/USDT (ordre de 1,2 USDT)."),
        ({"quantity": "0.000001"},
         "Quantité trop faible : 0,000001 BTC est sous la précision de Binance (papier) pour BTC/USDT "
         "(pas de 0,00001)."),
        ({"quantity": "1"},
         "Solde insuffisant sur Binance (papier) : Account has insufficient balance for requested action."),
        ({"quantity": "0.3", "order_type": "limit", "price": "50000"},
         "Solde insuffisant sur Binance (papier) : Account has insufficient balance for requested action."),
    ],
)
async def test_exchange_rules_refuse_in_french_like_a_real_account(sim, paper, kwargs, message) -> None:  # noqa: F811
    broker = await paper()
    trade = await order_place(broker=broker, symbol="BTC/USDT", side="buy", **kwargs)
    assert (trade.status, trade.error_message, trade.is_paper) == (Trade.Status.ERROR, message, True)
    assert await _balances(broker) == {"USDT": (Decimal("10000"), 0)}
    assert await PaperOrder.objects.acount() == 0


async def test_the_venue_itself_enforces_precision_and_notional(sim, paper) -> None:  # noqa: F811
    """Même appelé directement (sans les contrôles de `order_place`), le venue refuse comme Binance."""
    exchange = await exchange_get(broker=await paper())
    await exchange.load_markets()
    refused = "Ordre refusé par Binance (papier) : "
    cases = [
        (("BTC/USDT", "market", "buy", 0.00005), refused + "Filter failure: NOTIONAL"),
        (("BTC/USDT", "limit", "buy", 0.001, 1), refused + "Filter failure: NOTIONAL"),
        (("BTC/USDT", "market", "buy", float("nan")), refused + "Illegal characters"),
        (("BTC/USDT", "stop_loss", "sell", 0.01), refused + "type d'ordre"),
        (("FOO/USDT", "market", "buy", 1), "Symbole inconnu sur Binance (papier)"),
    ]
    for args, message in cases:
        with pytest.raises(AristobotError) as info:
            await exchange_call(exchange, lambda a=args: exchange.create_order(*a), safe=False)
        assert info.value.message.startswith(message), info.value.message
    with pytest.raises(AristobotError, match="ordres stop non pris en charge en papier"):
        await exchange_call(exchange, lambda: exchange.create_order(
            "BTC/USDT", "limit", "sell", 0.01, 50000, {"stopLossPrice": 51000}), safe=False)
    precise = await exchange.create_order("BTC/USDT", "limit", "buy", 0.0123456, 50000.123456)
    assert (precise["amount"], precise["price"], precise["status"]) == (0.01234, 50000.12, "open")
    assert not exchange.has.get("createStopLossOrder") and exchange.has["createMarketBuyOrderWithCost"]
    assert private_requests(sim.requests) == {}


async def test_paper_brokers_of_two_users_are_isolated(sim, paper) -> None:  # noqa: F811
    first, second = await paper(), await paper()
    assert first.user_id != second.user_id
    await order_place(broker=first, symbol="BTC/USDT", side="buy", quantity="0.01")
    limit = await order_place(broker=first, symbol="BTC/USDT", side="buy", order_type="limit",
                              quantity="0.01", price="50000")
    assert await _balances(second) == {"USDT": (Decimal("10000"), 0)}
    assert await open_orders_fetch(broker=second) == []
    with pytest.raises(AristobotError) as info:  # l'ordre de l'un est inconnu du venue de l'autre
        await order_cancel(broker=second, exchange_order_id=limit.exchange_order_id, symbol="BTC/USDT")
    assert info.value.status_code == 404
    assert (await PaperOrder.objects.aget(pk=limit.exchange_order_id)).status == "open"


async def test_amounts_beyond_what_the_columns_hold_are_refused_not_crashed(sim, paper) -> None:  # noqa: F811
    """Un solde de départ démesuré (10¹⁵ BTC) ne peut pas produire un montant que la base refuserait."""
    broker = await paper(paper_initial_balances={"BTC": Decimal("1e15")})
    request = ledger.OrderRequest(symbol="BTC/USDT", base="BTC", quote="USDT", side="sell",
                                  order_type="market", amount=Decimal("1e15"), limit_price=None,
                                  client_order_id="huge-1")
    with pytest.raises(ccxt.InvalidOrder, match="hors des limites"):
        await sync_to_async(ledger.order_fill)(broker_id=broker.pk, request=request, price=Decimal("60000"),
                                               fee_rate=Decimal("0.001"))
    huge = dataclasses.replace(request, amount=Decimal("1e20"), order_type="limit",
                               limit_price=Decimal("1"), client_order_id="huge-2")
    with pytest.raises(ccxt.InvalidOrder, match="hors des limites"):
        await sync_to_async(ledger.order_rest)(broker_id=broker.pk, request=huge, fee_rate=Decimal(0))
    trade = await order_place(broker=broker, symbol="BTC/USDT", side="sell", quantity="1000000000000000")
    assert trade.status == Trade.Status.ERROR
    assert trade.error_message.startswith("Ordre refusé par Binance (papier)")
    assert await _balances(broker) == {"BTC": (Decimal("1e15"), 0)}
