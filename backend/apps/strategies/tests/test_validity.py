"""Code invalide : enregistrable, marqué dans la liste, mais jamais activé (erreur française + ligne)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.brokers.services import broker_create
from apps.strategies.runtime.pool import StrategyPool
from apps.strategies.templates import EMA_CROSS_EXAMPLE
from apps.trading_engine.models import ActiveStrategy

pytestmark = pytest.mark.django_db

BROKEN = "class Cassee(Strategy):\n    def should_long(self):\n        return 1 / 0\n"
SYNTAX = "class S(Strategy)\n    pass\n"


@pytest.fixture(autouse=True)
def _sandbox(sandbox_pool: StrategyPool) -> None:
    """L'API utilise le pool de test (déjà chaud)."""


def _activation(client, strategy_id: int, *, is_active: bool = True) -> dict:  # noqa: ANN001
    broker = broker_create(user=client.user, name=f"B{strategy_id}{is_active}", exchange="binance",
                           api_key="k", api_secret="s")
    now = timezone.now()
    return {"strategy": strategy_id, "broker": broker.pk, "symbol": "BTC/USDT",
            "start_date": (now - timedelta(hours=1)).isoformat(),
            "end_date": (now + timedelta(days=1)).isoformat(), "is_active": is_active}


def test_invalid_code_is_saved_and_marked_in_the_list(logged_client) -> None:  # noqa: ANN001
    client = logged_client()
    bad = client.post("/api/strategies/", {"name": "Cassée", "code": BROKEN}, format="json")
    assert bad.status_code == 201, bad.content
    good = client.post("/api/strategies/", {"name": "EMA", "code": EMA_CROSS_EXAMPLE}, format="json")
    listed = {s["name"]: s["validation"] for s in client.get("/api/strategies/").json()}
    assert listed["EMA"] == {"ok": True}
    assert listed["Cassée"]["ok"] is False and listed["Cassée"]["line"] == 3
    assert "ZeroDivisionError" in listed["Cassée"]["error"]
    # corrigée puis cassée à nouveau : la liste suit le code enregistré
    fixed = client.patch(f"/api/strategies/{bad.json()['id']}/", {"code": EMA_CROSS_EXAMPLE}, format="json")
    assert fixed.json()["validation"] == {"ok": True}
    broken = client.patch(f"/api/strategies/{good.json()['id']}/", {"code": SYNTAX}, format="json")
    assert broken.status_code == 200
    assert broken.json()["validation"]["ok"] is False and broken.json()["validation"]["line"] == 1


def test_activating_an_invalid_strategy_is_refused_with_the_line(logged_client) -> None:  # noqa: ANN001
    client = logged_client()
    strategy = client.post("/api/strategies/", {"name": "Cassée", "code": BROKEN}, format="json").json()
    resp = client.post("/api/active-strategies/", _activation(client, strategy["id"]), format="json")
    assert resp.status_code == 400
    body = resp.json()
    assert "ne passe pas la validation (ligne 3)" in body["detail"]
    assert "ZeroDivisionError" in body["detail"] and body["line"] == 3
    assert body["code"] == "strategy_invalid"
    assert not ActiveStrategy.objects.exists()


def test_an_inactive_activation_is_kept_but_cannot_be_switched_on(logged_client) -> None:  # noqa: ANN001
    client = logged_client()
    strategy = client.post("/api/strategies/", {"name": "Cassée", "code": SYNTAX}, format="json").json()
    created = client.post("/api/active-strategies/", _activation(client, strategy["id"], is_active=False),
                          format="json")
    assert created.status_code == 201, created.content
    active_id = created.json()["id"]
    switched = client.patch(f"/api/active-strategies/{active_id}/", {"is_active": True}, format="json")
    assert switched.status_code == 400 and "ligne 1" in switched.json()["detail"]
    resumed = client.post(f"/api/active-strategies/{active_id}/resume/", format="json")
    assert resumed.status_code == 400 and "ne passe pas la validation" in resumed.json()["detail"]
    assert ActiveStrategy.objects.get(pk=active_id).is_active is False
    # une fois corrigée, la même activation démarre
    client.patch(f"/api/strategies/{strategy['id']}/", {"code": EMA_CROSS_EXAMPLE}, format="json")
    resumed = client.post(f"/api/active-strategies/{active_id}/resume/", format="json")
    assert resumed.status_code == 200, resumed.content
    assert ActiveStrategy.objects.get(pk=active_id).is_active is True


def test_a_looping_strategy_is_not_re_run_at_every_list_read(logged_client, settings) -> None:  # noqa: ANN001
    """Délai dépassé : mémorisé une minute, la liste ne repaie pas 5 s à chaque lecture."""
    from apps.strategies import validity

    loop = "class Boucle(Strategy):\n    def should_long(self):\n        while True:\n            pass\n"
    client = logged_client()
    client.post("/api/strategies/", {"name": "Boucle", "code": loop}, format="json")
    calls = []
    original = validity.validate_code
    validity.validate_code = lambda code: calls.append(code) or original(code)
    try:
        first = client.get("/api/strategies/").json()[0]["validation"]
        second = client.get("/api/strategies/").json()[0]["validation"]
    finally:
        validity.validate_code = original
    assert first["ok"] is False and first["kind"] == "timeout" and second == first
    assert len(calls) <= 1
