"""Barre de statut : où tradent les stratégies live (compte réel, testnet, simulateur local)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.brokers.services import broker_create
from apps.strategies.services import strategy_create
from apps.trading_engine.models import ActiveStrategy

pytestmark = pytest.mark.django_db


def _activate(user, broker) -> None:  # noqa: ANN001
    now = timezone.now()
    ActiveStrategy.objects.create(
        user=user, strategy=strategy_create(user=user, name=f"S{broker.pk}"), broker=broker,
        symbol="BTC/USDT", start_date=now - timedelta(hours=1),
        end_date=now + timedelta(days=1), is_active=True,
    )


def test_simulator_brokers_are_not_called_real_accounts(logged_client, settings) -> None:  # noqa: ANN001
    client = logged_client()
    settings.ARISTOBOT_BINANCE_REST_URL = "http://127.0.0.1:8765"
    broker = broker_create(user=client.user, name="Démo", exchange="binance", api_key="k", api_secret="s")
    assert client.get("/api/status/").json()["venues"] == ["simulator"]
    assert client.get(f"/api/brokers/{broker.pk}/").json()["venue"] == "simulator"

    settings.ARISTOBOT_BINANCE_REST_URL = "https://api.binance.com/"
    assert client.get("/api/status/").json()["venues"] == ["real"]


def test_venues_follow_the_live_strategies_brokers(logged_client, settings) -> None:  # noqa: ANN001
    client = logged_client()
    settings.ARISTOBOT_BINANCE_REST_URL = "https://api.binance.com"
    broker_create(user=client.user, name="Réel", exchange="binance", api_key="k", api_secret="s")
    testnet = broker_create(user=client.user, name="Test", exchange="binance", api_key="k",
                            api_secret="s", is_testnet=True)
    assert client.get("/api/status/").json()["venues"] == ["real", "testnet"]
    _activate(client.user, testnet)
    status = client.get("/api/status/").json()
    assert (status["venues"], status["live_strategies"]) == (["testnet"], 1)


def test_no_broker_no_venue(logged_client) -> None:  # noqa: ANN001
    assert logged_client().get("/api/status/").json()["venues"] == []
