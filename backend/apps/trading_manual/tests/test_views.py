"""API du trading manuel contre le simulateur Binance, comme sous Daphne (vues synchrones, CCXT sur
la boucle dédiée, simulateur dans son propre thread)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from exchange_simulator import DEMO_API_KEY

from apps.core.services.ccxt_manager import exchange_get
from apps.core.services.exchange_loop import exchange_loop_run
from apps.core.services.rate_limit import throttle_delay_ms
from apps.core.tests.exchange_fixtures import make_broker, threaded_sim  # noqa: F401
from apps.trading.models import Trade

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = "/api/trading-manual/orders/"
PORTFOLIO = "/api/trading-manual/portfolio/"


@pytest.fixture
def trader(threaded_sim, logged_client, make_broker):  # noqa: ANN001, ANN201, F811
    """Client connecté + son broker (compte de démonstration : 10 000 USDT, 0,5 BTC, 5 ETH), BTC figé
    à 60 000 USDT."""
    threaded_sim.admin("price", {"symbol": "BTCUSDT", "price": 60000, "freeze": True})
    client = logged_client()
    client.broker = make_broker(user=client.user)
    return client


def _order(client, **payload: Any):  # noqa: ANN001, ANN202
    body = {"broker": client.broker.pk, "symbol": "BTC/USDT", "side": "buy", "order_type": "market",
            **payload}
    return client.post(ORDERS, {k: v for k, v in body.items() if v is not None}, format="json")


def _sim_orders(sim) -> list[Any]:  # noqa: ANN001
    return sim.orders_of(DEMO_API_KEY)


def _sim_balance(sim, asset: str) -> tuple[Decimal, Decimal]:  # noqa: ANN001
    balance = sim.call(lambda: sim.sim.engine.accounts[DEMO_API_KEY].balance(asset))
    return balance.free, balance.locked


def test_market_buy_by_quantity_is_filled_and_recorded_as_manual(trader, threaded_sim) -> None:  # noqa: F811
    resp = _order(trader, symbol="BTCUSDT", quantity="0.001")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["status"], body["source"], body["role"], body["symbol"]) == (
        "filled", "manual", "manual", "BTC/USDT")
    assert Decimal(body["quantity"]) == Decimal("0.001") and Decimal(body["cost"]) == Decimal("60")
    trade = Trade.objects.get(pk=body["id"])
    assert trade.user_id == trader.user.pk and trade.broker_id == trader.broker.pk
    (order,) = _sim_orders(threaded_sim)
    assert order.client_order_id == trade.client_order_id
    assert _sim_balance(threaded_sim, "BTC")[0] == Decimal("0.500999")  # 0.5 + 0.001 − 0.1 % de frais


def test_market_buy_by_usd_amount_sends_a_quote_order(trader, threaded_sim) -> None:  # noqa: F811
    resp = _order(trader, quote_amount="100")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "filled" and Decimal(body["requested_quote_amount"]) == 100
    assert body["requested_quantity"] is None
    assert Decimal(body["quantity"]) == Decimal("0.00166") and Decimal(body["cost"]) == Decimal("99.6")
    (order,) = _sim_orders(threaded_sim)
    assert order.orig_quote_qty == Decimal("100")
    assert _sim_balance(threaded_sim, "USDT")[0] == Decimal("9900.4")


def test_market_sell_by_quantity(trader, threaded_sim) -> None:  # noqa: F811
    resp = _order(trader, side="sell", quantity="0.01")
    assert resp.status_code == 201, resp.content
    assert resp.json()["side"] == "sell" and Decimal(resp.json()["cost"]) == 600
    assert _sim_balance(threaded_sim, "BTC")[0] == Decimal("0.49")
    assert _sim_balance(threaded_sim, "USDT")[0] == Decimal("10599.4")  # 600 − 0,6 de frais


def test_limit_buy_stays_open_then_is_canceled(trader, threaded_sim) -> None:  # noqa: F811
    resp = _order(trader, order_type="limit", quantity="0.01", price="50000")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "open" and Decimal(body["requested_price"]) == 50000
    assert _sim_balance(threaded_sim, "USDT") == (Decimal("9500"), Decimal("500"))
    base = f"/api/brokers/{trader.broker.pk}"
    (listed,) = trader.get(f"{base}/open-orders/", {"symbol": "BTC/USDT"}).json()
    assert listed["id"] == body["exchange_order_id"]
    resp = trader.post(f"{base}/orders/{listed['id']}/cancel/", {"symbol": "BTC/USDT"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "canceled"
    assert Trade.objects.get(pk=body["id"]).status == Trade.Status.CANCELED
    assert _sim_balance(threaded_sim, "USDT") == (Decimal("10000"), Decimal("0"))


def test_market_order_ignores_a_stray_price(trader) -> None:
    resp = _order(trader, quantity="0.001", price="1")
    assert resp.status_code == 201 and resp.json()["requested_price"] is None


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"quantity": "0"}, "quantity", "Quantité invalide : elle doit être strictement positive (reçu 0)."),
        ({"quantity": "-0.5"}, "quantity",
         "Quantité invalide : elle doit être strictement positive (reçu -0,5)."),
        ({"quote_amount": "-10"}, "quote_amount",
         "Montant invalide : il doit être strictement positif (reçu -10)."),
        ({"quote_amount": "-1234.5"}, "quote_amount",
         "Montant invalide : il doit être strictement positif (reçu -1\u202f234,5)."),
        ({"quantity": "abc"}, "quantity", "Nombre attendu."),
        ({}, "quantity", "un seul des deux"),
        ({"quantity": "0.001", "quote_amount": "100"}, "quantity", "un seul des deux"),
        ({"quantity": "0.001", "order_type": "limit"}, "price", "Prix limite manquant pour un ordre limite."),
        ({"quantity": "0.001", "order_type": "limit", "price": "0"}, "price",
         "Prix invalide : il doit être strictement positif (reçu 0)."),
        ({"quantity": "0.001", "side": "hold"}, "side", "Sens d'ordre invalide : « hold »"),
        ({"quantity": "0.001", "order_type": "stop"}, "order_type", "Type d'ordre invalide : « stop »"),
        ({"quantity": "0.001", "symbol": ""}, "symbol", "Symbole manquant"),
    ],
)
def test_malformed_orders_are_refused_in_french_before_any_order(
    trader, threaded_sim, payload, field, message  # noqa: F811
) -> None:
    resp = _order(trader, **payload)
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert body["detail"].startswith("Données invalides")
    assert any(message in text for text in body["errors"][field]), body
    assert not Trade.objects.exists() and _sim_orders(threaded_sim) == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"symbol": "FOO/USDT", "quantity": "1"}, "Symbole inconnu sur Binance : FOO/USDT"),
        ({"quantity": "0.000001"},
         "Quantité trop faible : 0,000001 BTC est sous la précision de Binance pour BTC/USDT "
         "(pas de 0,00001)."),
        ({"quote_amount": "1"},
         "Montant trop faible : minimum 5 USDT sur Binance pour BTC/USDT (ordre de 1 USDT)."),
        ({"quantity": "0.00005"},
         "Montant trop faible : minimum 5 USDT sur Binance pour BTC/USDT (ordre de 3 USDT)."),
        ({"quantity": "0.0001", "order_type": "limit", "price": "40000"},
         "Montant trop faible : minimum 5 USDT sur Binance pour BTC/USDT (ordre de 4 USDT)."),
    ],
)
def test_orders_failing_exchange_rules_are_recorded_but_never_sent(
    trader, threaded_sim, payload, message  # noqa: F811
) -> None:
    resp = _order(trader, **payload)
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert (body["detail"], body["code"]) == (message, "order_error")
    trade = Trade.objects.get()
    assert body["trade"]["id"] == trade.pk
    assert (trade.status, trade.source, trade.error_message) == (Trade.Status.ERROR, "manual", message)
    assert _sim_orders(threaded_sim) == []
    assert _sim_balance(threaded_sim, "USDT") == (Decimal("10000"), Decimal("0"))


def test_insufficient_balance_returns_the_exchange_message_and_records_the_attempt(
    trader, threaded_sim  # noqa: F811
) -> None:
    resp = _order(trader, quantity="1")  # 60 000 USDT pour 10 000 disponibles
    assert resp.status_code == 400, resp.content
    message = "Solde insuffisant sur Binance : Account has insufficient balance for requested action."
    assert resp.json()["detail"] == message
    trade = Trade.objects.get()
    assert (trade.status, trade.error_message, trade.requested_quantity) == ("error", message, Decimal("1"))
    assert _sim_orders(threaded_sim) == []
    assert _sim_balance(threaded_sim, "USDT") == (Decimal("10000"), Decimal("0"))
    resp = trader.get("/api/trades/", {"source": "manual", "broker": trader.broker.pk})
    assert [(row["status"], row["error_message"]) for row in resp.json()["results"]] == [("error", message)]


def test_broker_defaults_to_the_users_default_broker(trader, threaded_sim, make_broker) -> None:  # noqa: F811
    second = make_broker(user=trader.user, is_default=True)
    resp = trader.post(ORDERS, {"symbol": "BTC/USDT", "side": "buy", "quantity": "0.001"}, format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["broker"] == second.pk
    resp = trader.get(PORTFOLIO)
    assert resp.status_code == 200 and resp.json()["broker"]["id"] == second.pk


def test_without_any_broker_the_user_is_told_to_add_one(threaded_sim, logged_client) -> None:  # noqa: F811
    client = logged_client()
    resp = client.post(ORDERS, {"symbol": "BTC/USDT", "side": "buy", "quantity": "0.001"}, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"detail": "Aucun broker configuré : ajoutez-en un dans Mon Compte.",
                           "code": "no_broker"}
    assert client.get(PORTFOLIO).json()["code"] == "no_broker"


def test_portfolio_values_each_asset_in_usd_with_the_total(trader, threaded_sim) -> None:  # noqa: F811
    threaded_sim.admin("price", {"symbol": "ETHUSDT", "price": 3000, "freeze": True})
    resp = trader.get(PORTFOLIO, {"broker": trader.broker.pk})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["broker"] == {"id": trader.broker.pk, "name": trader.broker.name, "exchange": "binance",
                              "is_testnet": False, "is_paper": False, "venue": "simulator"}
    rows = {row["asset"]: row for row in body["balances"]}
    assert rows["USDT"] == {"asset": "USDT", "free": 10000, "used": 0, "total": 10000, "usd_price": 1,
                            "usd_value": 10000}
    assert (rows["BTC"]["usd_price"], rows["BTC"]["usd_value"]) == (60000, 30000)
    assert body["total_usd"] == 10000 + 30000 + 15000
    assert body["fetched_at"].endswith("Z")
    _order(trader, quote_amount="100")
    rows = {row["asset"]: row for row in trader.get(PORTFOLIO).json()["balances"]}
    assert rows["BTC"]["total"] == pytest.approx(0.5 + 0.00166 - 0.00000166)
    assert rows["USDT"]["total"] == pytest.approx(9900.4)


def test_other_users_brokers_and_trades_stay_private(
    trader, threaded_sim, make_broker, make_user, logged_client  # noqa: F811
) -> None:
    other_user = make_user("voisin")
    other = make_broker(user=other_user)
    resp = trader.post(ORDERS, {"broker": other.pk, "symbol": "BTC/USDT", "side": "buy",
                                "quantity": "0.001"}, format="json")
    assert resp.status_code == 404 and resp.json()["detail"] == f"Broker introuvable (id {other.pk})."
    assert trader.get(PORTFOLIO, {"broker": other.pk}).status_code == 404
    assert trader.get(PORTFOLIO, {"broker": "abc"}).status_code == 404
    assert not Trade.objects.exists() and _sim_orders(threaded_sim) == []
    assert _order(trader, quantity="0.001").status_code == 201
    neighbour = logged_client(other_user)
    assert neighbour.get("/api/trades/", {"source": "manual"}).json()["count"] == 0
    assert neighbour.get("/api/trades/", {"broker": trader.broker.pk}).json()["count"] == 0


def test_anonymous_requests_are_refused(api_client) -> None:
    assert api_client.post(ORDERS, {}, format="json").status_code == 403
    assert api_client.get(PORTFOLIO).status_code == 403


def test_manual_sell_gets_realized_pnl_at_average_cost(trader, threaded_sim) -> None:  # noqa: F811
    """Achat à 60 000 puis vente à 63 000 : P&L = produit net − coût moyen (frais inclus)."""
    buy = _order(trader, quantity="0.01")
    assert buy.status_code == 201, buy.content
    assert buy.json()["profit_loss"] is None
    threaded_sim.admin("price", {"symbol": "BTCUSDT", "price": 63000, "freeze": True})
    sell = _order(trader, side="sell", quantity="0.005")
    assert sell.status_code == 201, sell.content
    bought = Trade.objects.get(pk=buy.json()["id"])
    sold = Trade.objects.get(pk=sell.json()["id"])
    cost_of_sold = (bought.cost + bought.fee_quote) / 2
    expected = sold.cost - sold.fee_quote - cost_of_sold
    assert sold.profit_loss == expected.quantize(Decimal("0.000000000001"))
    assert sold.profit_loss > 0
    # une vente sans achat connu dans l'application (BTC détenu d'avance) reste sans P&L
    other = _order(trader, symbol="ETH/USDT", side="sell", quantity="0.1")
    assert other.status_code == 201, other.content
    assert other.json()["profit_loss"] is None


def test_opening_the_page_asks_the_exchange_once_per_need_without_rate_limit_wait(
    trader, threaded_sim  # noqa: F811
) -> None:
    """Les lectures d'exchange de la page (portefeuille, ordres ouverts, prix du symbole choisi),
    comptées par le simulateur : une requête chacune, les marchés chargés une fois par instance ;
    ensuite le limiteur de débit laisse repartir la même série sans attente."""
    broker = trader.broker.pk
    threaded_sim.requests_reset()
    for _ in range(2):
        assert trader.get(PORTFOLIO, {"broker": broker}).status_code == 200
        assert trader.get(f"/api/brokers/{broker}/open-orders/").status_code == 200
        assert trader.get(f"/api/brokers/{broker}/ticker/", {"symbol": "BTC/USDT"}).status_code == 200
    assert threaded_sim.requests_reset() == {
        "GET /api/v3/exchangeInfo": 1, "GET /api/v3/account": 2, "GET /api/v3/ticker/price": 2,
        "GET /api/v3/openOrders": 2, "GET /api/v3/ticker/24hr": 2,
    }
    exchange = exchange_loop_run(exchange_get(broker=trader.broker))
    assert throttle_delay_ms(exchange, cost=16) == 0  # 16 = poids 80 (openOrders sans symbole)
