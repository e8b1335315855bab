"""Mauvaises entrées : toujours `{"detail": ...}` en français, le bon statut, jamais de 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.brokers.services import broker_create
from apps.strategies.services import strategy_create
from apps.trading.models import Trade
from apps.trading_engine.services import active_strategy_create

pytestmark = pytest.mark.django_db

ENDPOINTS = ["brokers", "strategies", "active-strategies", "trades", "backtests", "webhooks",
             "market-symbols"]


def _bob_rows(make_user):  # noqa: ANN001, ANN202
    bob = make_user("bob")
    broker = broker_create(user=bob, name="B", exchange="binance", api_key="k", api_secret="s")
    strategy = strategy_create(user=bob, name="S")
    now = timezone.now()
    active = active_strategy_create(user=bob, strategy=strategy, broker=broker, symbol="BTC/USDT",
                                    start_date=now, end_date=now + timedelta(days=1))
    trade = Trade.objects.create(user=bob, broker_id=broker.pk, exchange="binance", source="manual",
                                 symbol="BTC/USDT", side="buy", client_order_id="x-1")
    return {"brokers": broker.pk, "strategies": strategy.pk, "active-strategies": active.pk,
            "trades": trade.pk}


def test_malformed_json_gives_400_in_french(logged_client) -> None:
    client = logged_client()
    for endpoint in ("brokers", "strategies", "active-strategies"):
        resp = client.generic("POST", f"/api/{endpoint}/", "{pas du json",
                              content_type="application/json")
        assert resp.status_code == 400, endpoint
        assert resp.json()["detail"].startswith("Corps de requête JSON invalide")


def test_wrong_content_type_gives_415(logged_client) -> None:
    resp = logged_client().generic("POST", "/api/strategies/", "name=x",
                                   content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 415
    assert "JSON attendu" in resp.json()["detail"]


def test_unknown_ids_give_404(logged_client) -> None:
    client = logged_client()
    for endpoint in ENDPOINTS:
        for pk in ("999999", "abc"):
            resp = client.get(f"/api/{endpoint}/{pk}/")
            assert resp.status_code == 404, (endpoint, pk)
            assert "introuvable" in resp.json()["detail"]


def test_other_users_ids_are_invisible(logged_client, make_user) -> None:
    rows = _bob_rows(make_user)
    client = logged_client(make_user("alice"))
    for endpoint, pk in rows.items():
        assert client.get(f"/api/{endpoint}/").json() in ([], {"count": 0, "next": None,
                                                             "previous": None, "results": []})
        assert client.get(f"/api/{endpoint}/{pk}/").status_code == 404
        assert client.delete(f"/api/{endpoint}/{pk}/").status_code in (404, 405)


def test_other_users_ids_in_relations_are_refused(logged_client, make_user) -> None:
    rows = _bob_rows(make_user)
    alice = make_user("alice")
    client = logged_client(alice)
    now = timezone.now()
    resp = client.post("/api/active-strategies/", {
        "strategy": rows["strategies"], "broker": rows["brokers"], "symbol": "BTC/USDT",
        "start_date": now.isoformat(), "end_date": (now + timedelta(days=1)).isoformat(),
    }, format="json")
    assert resp.status_code == 400
    assert "introuvable" in resp.json()["errors"]["strategy"][0]
    resp = client.post("/api/trading-manual/orders/", {
        "broker": rows["brokers"], "symbol": "BTC/USDT", "side": "buy", "quantity": "0.001",
    }, format="json")
    assert resp.status_code == 404
    assert resp.json()["detail"].startswith("Broker introuvable")


def test_wrong_types_give_400_with_field_errors(logged_client) -> None:
    client = logged_client()
    resp = client.post("/api/strategies/", {"name": ["liste"], "timeframe": "7m"}, format="json")
    assert resp.status_code == 400
    body = resp.json()
    assert set(body["errors"]) >= {"name", "timeframe"}
    assert body["detail"].startswith("Données invalides")
    resp = client.post("/api/active-strategies/", {"strategy": "abc", "broker": None,
                                                   "symbol": 12, "start_date": "hier"},
                       format="json")
    assert resp.status_code == 400
    assert {"strategy", "broker", "start_date", "end_date"} <= set(resp.json()["errors"])


def test_unknown_api_path_is_json_404(logged_client) -> None:
    resp = logged_client().get("/api/nexiste-pas/")
    assert resp.status_code == 404
    assert resp.json()["detail"].startswith("Point d'API introuvable")


def test_unauthenticated_requests_are_refused_in_french(api_client) -> None:
    resp = api_client.get("/api/strategies/")
    assert resp.status_code == 403
    assert resp.json()["detail"] == "Authentification requise : connectez-vous."
