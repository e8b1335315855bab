"""Boutons du Trading BOT par l'API : Stop (confirmation), Suspendre, Reprendre, Vendre, détail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.services.exchange_loop import exchange_loop_run
from apps.core.tests.exchange_fixtures import make_broker, threaded_sim  # noqa: F401
from apps.trading.models import Trade
from apps.trading_engine.engine.notify import Notifier
from apps.trading_engine.engine.positions import position_open
from apps.trading_engine.models import ActiveStrategy, Position
from apps.trading_engine.tests.engine_support import long_code, make_active  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def _open(active: ActiveStrategy, sl: float = 0.02, tp: float = 0.04) -> Position:
    async def _buy() -> Position:
        _, position = await position_open(active=active, quote_amount=Decimal("100"), stop_loss=sl,
                                          take_profit=tp, slippage=Decimal("0.005"), notifier=Notifier())
        assert position is not None
        return position

    return exchange_loop_run(_buy())


@pytest.fixture
def setup(threaded_sim, logged_client, make_active):  # noqa: ANN001, ANN201, F811
    threaded_sim.call(threaded_sim.sim.set_price, "BTCUSDT", "60000", freeze=True)
    client = logged_client()
    active = make_active(long_code(), user=client.user)
    return client, active, threaded_sim


def test_stop_asks_for_confirmation_when_a_position_is_open(setup) -> None:  # noqa: ANN001
    client, active, _ = setup
    position = _open(active)
    resp = client.post(f"/api/active-strategies/{active.pk}/stop/", {}, format="json")
    assert resp.status_code == 409
    body = resp.json()
    assert body["code"] == "position_open" and body["position_id"] == position.pk
    quantity = f"{position.quantity.normalize():f}".replace(".", ",")  # format français
    assert body["detail"].startswith(f"Une position est ouverte sur BTC/USDT ({quantity} BTC) : "), body
    assert "confirmez" in body["detail"]
    active.refresh_from_db()
    assert active.is_active
    resp = client.post(f"/api/active-strategies/{active.pk}/stop/", {"confirm": True}, format="json")
    assert resp.status_code == 200, resp.content
    active.refresh_from_db()
    assert not active.is_active and active.end_date.isoformat() == "2001-01-01T00:00:00+00:00"
    assert resp.json()["position"]["id"] == position.pk  # la position reste ouverte
    assert client.get("/api/status/").json()["live_strategies"] == 0


def test_stop_without_position_needs_no_confirmation(setup) -> None:  # noqa: ANN001
    client, active, _ = setup
    resp = client.post(f"/api/active-strategies/{active.pk}/stop/", {}, format="json")
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    resp = client.post(f"/api/active-strategies/{active.pk}/resume/", {}, format="json")
    assert resp.status_code == 409 and resp.json()["code"] == "strategy_ended"


def test_suspend_and_resume_toggle_is_active_within_the_limit(setup, make_active) -> None:  # noqa: ANN001, F811
    client, active, _ = setup
    end = active.end_date
    resp = client.post(f"/api/active-strategies/{active.pk}/suspend/", {}, format="json")
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    active.refresh_from_db()
    assert active.end_date == end and not active.is_active
    broker = active.broker
    others = [make_active(long_code(), broker=broker) for _ in range(20)]
    resp = client.post(f"/api/active-strategies/{active.pk}/resume/", {}, format="json")
    assert resp.status_code == 409 and "au maximum 20" in resp.json()["detail"]
    client.post(f"/api/active-strategies/{others[0].pk}/suspend/", {}, format="json")
    resp = client.post(f"/api/active-strategies/{active.pk}/resume/", {}, format="json")
    assert resp.status_code == 200 and resp.json()["is_active"] is True


def test_sell_closes_the_position_with_pnl_and_keeps_the_strategy_active(setup) -> None:  # noqa: ANN001
    client, active, sim = setup
    position = _open(active)
    assert position.protection_mode == "exchange"
    sim.call(sim.sim.set_price, "BTCUSDT", "61000", freeze=True)
    resp = client.post(f"/api/active-strategies/{active.pk}/sell/", {}, format="json")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "closed" and body["exit_reason"] == "manual"
    assert Decimal(body["realized_pnl"]) > 0 and Decimal(body["exit_price"]) == Decimal("61000")
    active.refresh_from_db()
    assert active.is_active
    assert not [o for o in sim.orders_of("demo-api-key") if o.is_open]  # OCO annulée
    resp = client.post(f"/api/active-strategies/{active.pk}/sell/", {}, format="json")
    assert resp.status_code == 409 and resp.json()["code"] == "no_position"
    detail = client.get(f"/api/active-strategies/{active.pk}/").json()
    assert detail["position"] is None
    assert [t["role"] for t in detail["recent_trades"]] == ["exit", "take_profit", "stop_loss", "entry"]
    assert Decimal(detail["realized_pnl"]) == Decimal(body["realized_pnl"])
    exit_trade = Trade.objects.get(active_strategy_id=active.pk, role="exit")
    assert exit_trade.profit_loss == Decimal(body["realized_pnl"])
    assert exit_trade.executed_at <= timezone.now()


def test_other_users_cannot_act_on_a_strategy(setup, logged_client) -> None:  # noqa: ANN001
    _, active, _ = setup
    intruder = logged_client()
    for verb in ("stop", "suspend", "resume", "sell"):
        resp = intruder.post(f"/api/active-strategies/{active.pk}/{verb}/", {}, format="json")
        assert resp.status_code == 404
