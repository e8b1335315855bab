"""API des brokers papier, comme sous Daphne (vues synchrones, CCXT sur la boucle dédiée, simulateur
dans son thread) : création sans clés, entrées hostiles, Trading manuel, remise à zéro, isolation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from apps.brokers.models import Broker, PaperBalance, PaperOrder
from apps.brokers.tests.paper_fixtures import private_requests
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, threaded_sim  # noqa: F401
from apps.trading.models import Trade

pytestmark = pytest.mark.django_db(transaction=True)

BROKERS = "/api/brokers/"
ORDERS = "/api/trading-manual/orders/"
PAPER = {"name": "Papier", "exchange": "binance", "is_paper": True}


@pytest.fixture
def client(threaded_sim, logged_client):  # noqa: ANN001, ANN201, F811
    threaded_sim.admin("price", {"symbol": "BTCUSDT", "price": 60000, "freeze": True})
    return logged_client()


def _create(client, **payload: Any):  # noqa: ANN001, ANN202
    return client.post(BROKERS, {**PAPER, **payload}, format="json")


def _order(client, broker_id: int, **payload: Any):  # noqa: ANN001, ANN202
    body = {"broker": broker_id, "symbol": "BTC/USDT", "side": "buy", "order_type": "market", **payload}
    return client.post(ORDERS, body, format="json")


def _assets(broker_id: int) -> dict[str, Decimal]:
    return {b.asset: b.free + b.locked for b in PaperBalance.objects.filter(broker_id=broker_id)}


def test_paper_broker_needs_no_keys_and_starts_with_10000_usdt(client, threaded_sim) -> None:  # noqa: F811
    resp = _create(client)
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["is_paper"], body["venue"], body["paper_balances"]) == (True, "paper", {"USDT": "10000"})
    assert body["api_key_hint"] == "" and body["is_default"] is True
    balance = client.get(f"{BROKERS}{body['id']}/balance/").json()
    assert [(r["asset"], Decimal(str(r["total"]))) for r in balance["balances"]] == [("USDT", Decimal(10000))]
    assert client.get("/api/status/").json()["venues"] == ["paper"]
    custom = _create(client, name="Papier 2", paper_balances={"usdt": 500, "BTC": "0.25", "ETH": "0"})
    assert custom.status_code == 201, custom.content
    assert custom.json()["paper_balances"] == {"BTC": "0.25", "ETH": "0", "USDT": "500"}
    assert _assets(custom.json()["id"]) == {"BTC": Decimal("0.25"), "USDT": Decimal(500)}
    assert private_requests(threaded_sim.requests_reset()) == {}


@pytest.mark.parametrize(
    ("payload", "field", "fragment"),
    [
        ({"paper_balances": {"USDT": "-5"}}, "paper_balances", "négatif"),
        ({"paper_balances": {"USDT": "NaN"}}, "paper_balances", "nombre attendu"),
        ({"paper_balances": {"USDT": "Infinity"}}, "paper_balances", "nombre attendu"),
        ({"paper_balances": {"USDT": "1e40"}}, "paper_balances", "trop grand"),
        ({"paper_balances": {"USDT": True}}, "paper_balances", "nombre attendu"),
        ({"paper_balances": {"USDT": {"x": 1}}}, "paper_balances", "nombre attendu"),
        ({"paper_balances": {"../etc": "1"}}, "paper_balances", "Actif invalide"),
        ({"paper_balances": {"USDT": "1", "usdt": "2"}}, "paper_balances", "deux fois"),
        ({"paper_balances": {}}, "paper_balances", "De 1 à 50"),
        ({"paper_balances": {f"A{i}": "1" for i in range(51)}}, "paper_balances", "De 1 à 50"),
        ({"paper_balances": {"USDT": "0"}}, "paper_balances", "positif"),
        ({"paper_balances": ["USDT", 1]}, "paper_balances", "Objet attendu"),
        ({"paper_balances": {"FOOBAR": "1"}}, "paper_balances", "FOOBAR"),  # inconnu de l'exchange
        ({"api_key": "abc", "api_secret": "def"}, "api_key", "pas de clés"),
        ({"is_testnet": True}, "is_testnet", "pas de testnet"),
        ({"is_paper": False, "api_key": "k", "api_secret": "s", "paper_balances": {"USDT": "1"}},
         "paper_balances", "broker papier"),
    ],
)
def test_hostile_paper_inputs_get_a_french_400(client, payload, field, fragment) -> None:  # noqa: F811
    resp = _create(client, **payload)
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert fragment in " ".join(body["errors"][field]) + body["detail"], body
    assert not Broker.objects.exists()


def test_manual_trading_on_a_paper_broker(client, threaded_sim) -> None:  # noqa: F811
    broker_id = _create(client).json()["id"]
    threaded_sim.requests_reset()
    bought = _order(client, broker_id, quantity="0.01")
    assert bought.status_code == 201, bought.content
    assert (bought.json()["status"], bought.json()["is_paper"]) == ("filled", True)
    portfolio = client.get("/api/trading-manual/portfolio/", {"broker": broker_id}).json()
    assert (portfolio["broker"]["is_paper"], portfolio["broker"]["venue"]) == (True, "paper")
    assert {r["asset"] for r in portfolio["balances"]} == {"USDT", "BTC"}
    limit = _order(client, broker_id, order_type="limit", quantity="0.01", price="50000").json()
    (listed,) = client.get("/api/trading-manual/open-orders/", {"broker": broker_id}).json()
    assert listed["id"] == limit["exchange_order_id"] and listed["origin"]["source"] == "manual"
    cancel = client.post(f"{BROKERS}{broker_id}/orders/{limit['exchange_order_id']}/cancel/",
                         {"symbol": "BTC/USDT"}, format="json")
    assert cancel.status_code == 200 and cancel.json()["status"] == "canceled"
    trades = client.get("/api/trades/", {"broker": broker_id}).json()["results"]
    assert [(t["status"], t["is_paper"]) for t in trades] == [("canceled", True), ("filled", True)]
    refused = _order(client, broker_id, quantity="0.00001")
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("Montant trop faible : minimum 5 USDT sur Binance (papier)")
    assert private_requests(threaded_sim.requests_reset()) == {}


def _ledger(broker_id: int) -> list[tuple]:
    balances = PaperBalance.objects.filter(broker_id=broker_id).order_by("asset")
    orders = PaperOrder.objects.filter(broker_id=broker_id).order_by("pk")
    return [*balances.values_list("asset", "free", "locked", "updated_at"),
            *orders.values_list("pk", "status", "filled", "updated_at")]


def test_a_crossed_limit_is_filled_by_the_sync_post_never_by_the_page_reads(client, threaded_sim) -> None:  # noqa: F811
    """Les GET de la page (portefeuille, ordres ouverts, prix, trades) ne touchent ni au grand livre
    papier ni au journal ; le POST de rattrapage exécute l'ordre croisé et met sa ligne à jour."""
    broker_id = _create(client).json()["id"]
    limit = _order(client, broker_id, order_type="limit", quantity="0.01", price="59000").json()
    assert limit["status"] == "open"
    threaded_sim.admin("price", {"symbol": "BTCUSDT", "price": 58000, "freeze": True})
    ledger, trades = _ledger(broker_id), list(Trade.objects.values().order_by("pk"))
    for url, query in (("/api/trading-manual/open-orders/", {"broker": broker_id}),
                       ("/api/trading-manual/portfolio/", {"broker": broker_id}),
                       (f"{BROKERS}{broker_id}/ticker/", {"symbol": "BTC/USDT"}),
                       (f"{BROKERS}{broker_id}/balance/", {}),
                       (f"{BROKERS}{broker_id}/open-orders/", {}),
                       ("/api/trades/", {"broker": broker_id})):
        assert client.get(url, query).status_code == 200, url
    assert _ledger(broker_id) == ledger and list(Trade.objects.values().order_by("pk")) == trades
    (listed,) = client.get("/api/trading-manual/open-orders/", {"broker": broker_id}).json()
    assert listed["id"] == limit["exchange_order_id"]  # toujours ouvert : rien n'a été rapproché

    resp = client.post("/api/trading-manual/sync/", {"broker": broker_id}, format="json")
    assert resp.status_code == 200, resp.content
    assert (resp.json()["broker"], resp.json()["synced"]) == (broker_id, 1)
    assert client.get("/api/trading-manual/open-orders/", {"broker": broker_id}).json() == []
    trade = Trade.objects.get(pk=limit["id"])
    assert (trade.status, trade.price, trade.quantity) == ("filled", Decimal(59000), Decimal("0.01"))
    assert _assets(broker_id)["BTC"] == Decimal("0.00999")
    assert private_requests(threaded_sim.requests_reset()) == {}


def test_reset_restores_the_starting_balances_and_cancels_open_orders(client) -> None:  # noqa: F811
    broker_id = _create(client, paper_balances={"USDT": "1000"}).json()["id"]
    _order(client, broker_id, quantity="0.01")
    limit = _order(client, broker_id, order_type="limit", quantity="0.001", price="50000").json()
    assert _assets(broker_id)["BTC"] == Decimal("0.00999")
    resp = client.post(f"{BROKERS}{broker_id}/paper-reset/")
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"canceled_orders": [limit["exchange_order_id"]],
                           "paper_balances": {"USDT": "1000"}}
    assert _assets(broker_id) == {"USDT": Decimal(1000)}
    assert PaperBalance.objects.get(broker_id=broker_id, asset="USDT").locked == 0
    assert Trade.objects.get(pk=limit["id"]).status == "canceled"
    assert not PaperOrder.objects.filter(broker_id=broker_id, status="open").exists()
    # Soldes de départ modifiés : appliqués à la remise à zéro suivante.
    patched = client.patch(f"{BROKERS}{broker_id}/", {"paper_balances": {"USDT": "2000", "ETH": "1"}},
                           format="json")
    assert patched.status_code == 200, patched.content
    assert _assets(broker_id) == {"USDT": Decimal(1000)}
    client.post(f"{BROKERS}{broker_id}/paper-reset/")
    assert _assets(broker_id) == {"USDT": Decimal(2000), "ETH": Decimal(1)}


def test_paper_mode_is_fixed_and_reset_is_refused_elsewhere(client, make_broker, logged_client) -> None:  # noqa: F811
    broker_id = _create(client).json()["id"]
    for patch in ({"is_paper": False}, {"api_key": "k"}, {"is_testnet": True}, {"exchange": "kraken"}):
        resp = client.patch(f"{BROKERS}{broker_id}/", patch, format="json")
        assert resp.status_code == 400, (patch, resp.content)
        assert resp.json()["detail"]
    assert client.patch(f"{BROKERS}{broker_id}/", {"name": "Renommé"}, format="json").status_code == 200
    real = make_broker(user=client.user)
    resp = client.post(f"{BROKERS}{real.pk}/paper-reset/")
    assert resp.status_code == 400 and "n'est pas un broker papier" in resp.json()["detail"]
    assert client.patch(f"{BROKERS}{real.pk}/", {"is_paper": True}, format="json").status_code == 400
    check = client.post(f"{BROKERS}check/", {"broker_id": broker_id}, format="json")
    assert check.status_code == 400 and "broker papier" in check.json()["detail"]


def test_another_users_paper_broker_is_invisible(client, logged_client) -> None:  # noqa: F811
    broker_id = _create(client).json()["id"]
    _order(client, broker_id, quantity="0.01")
    other = logged_client()
    for method, url in (("post", f"{BROKERS}{broker_id}/paper-reset/"),
                        ("get", f"{BROKERS}{broker_id}/balance/"), ("patch", f"{BROKERS}{broker_id}/")):
        resp = getattr(other, method)(url, {}, format="json")
        assert resp.status_code == 404, (url, resp.content)
        assert "introuvable" in resp.json()["detail"].lower()
    assert _order(other, broker_id, quantity="0.01").status_code == 404
    assert _assets(broker_id)["BTC"] == Decimal("0.00999")
    assert other.get("/api/trades/").json()["results"] == []
