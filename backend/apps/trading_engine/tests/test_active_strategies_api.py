"""Stratégies actives : limite globale de 20, validation des dates, isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.brokers.services import broker_create
from apps.strategies.services import strategy_create

pytestmark = pytest.mark.django_db


def _setup(client):  # noqa: ANN001, ANN202
    broker = broker_create(user=client.user, name="B", exchange="binance", api_key="k",
                           api_secret="s")
    strategy = strategy_create(user=client.user, name="S")
    now = timezone.now()
    return {"strategy": strategy.pk, "broker": broker.pk, "symbol": "btc/usdt",
            "start_date": (now - timedelta(hours=1)).isoformat(),
            "end_date": (now + timedelta(days=3)).isoformat(), "is_active": True}


def test_at_most_twenty_active_strategies(logged_client) -> None:
    client = logged_client()
    payload = _setup(client)
    for _ in range(20):
        assert client.post("/api/active-strategies/", payload, format="json").status_code == 201
    resp = client.post("/api/active-strategies/", payload, format="json")
    assert resp.status_code == 409
    assert "au maximum 20 stratégies actives" in resp.json()["detail"]
    # une activation inactive reste possible, et ne peut être activée tant que la limite tient
    inactive = client.post("/api/active-strategies/", {**payload, "is_active": False},
                           format="json")
    assert inactive.status_code == 201
    resp = client.patch(f"/api/active-strategies/{inactive.json()['id']}/", {"is_active": True},
                        format="json")
    assert resp.status_code == 409
    status = client.get("/api/status/").json()
    assert status["live_strategies"] == 20


def test_symbol_is_normalised_and_dates_checked(logged_client) -> None:
    client = logged_client()
    payload = _setup(client)
    resp = client.post("/api/active-strategies/", payload, format="json")
    assert resp.json()["symbol"] == "BTC/USDT"
    assert resp.json()["timeframe"] == "15m"
    bad = client.post("/api/active-strategies/",
                      {**payload, "end_date": payload["start_date"]}, format="json")
    assert bad.status_code == 400
    assert "date de fin" in bad.json()["detail"]


def test_strategy_in_use_cannot_be_deleted(logged_client) -> None:
    client = logged_client()
    payload = _setup(client)
    client.post("/api/active-strategies/", payload, format="json")
    resp = client.delete(f"/api/strategies/{payload['strategy']}/")
    assert resp.status_code == 409
    assert "utilisée par des stratégies actives" in resp.json()["detail"]
    resp = client.delete(f"/api/brokers/{payload['broker']}/")
    assert resp.status_code == 409
