"""WebSocket `/ws/backtest/<id>/` à travers le vrai channel layer Redis : progression dans
l'ordre jusqu'à `backtest.done`, état courant à la connexion, refus d'un autre utilisateur."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from apps.backtest.services import backtest_create
from apps.backtest.tests.support import make_strategy, recent_period, slow_code
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, threaded_sim  # noqa: F401
from aristobot.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)


async def _connect(user, backtest_id: int) -> WebsocketCommunicator:  # noqa: ANN001
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/backtest/{backtest_id}/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@pytest.fixture
def launch(make_user, make_broker):  # noqa: F811
    @database_sync_to_async
    def _launch(code: str, *, days: float = 2, minutes: int = 1):  # noqa: ANN202
        user = make_user()
        broker = make_broker(user=user)
        strategy = make_strategy(user, code=code)
        start, end = recent_period(days=days, timeframe_minutes=minutes)
        backtest = backtest_create(user=user, strategy_id=strategy.pk, broker_id=broker.pk,
                                   symbol="BTC/USDT", timeframe=f"{minutes}m", start_date=start,
                                   end_date=end, initial_amount=Decimal(10000), fee_rate=Decimal("0.001"))
        return user, backtest

    return _launch


async def test_progress_messages_arrive_in_order_until_done(threaded_sim, launch) -> None:  # noqa: F811
    threaded_sim.admin("latency", {"ms": 300})  # 3 pages de 1 000 minutes : ~1 s de téléchargement
    user, backtest = await launch(slow_code(0.0005))
    communicator = await _connect(user, backtest.pk)
    messages, stamps = [], []
    while True:
        message = await communicator.receive_json_from(timeout=30)
        messages.append(message)
        stamps.append(time.monotonic())
        if message["type"] != "backtest.progress":
            break
    await communicator.disconnect()
    assert messages[-1]["type"] == "backtest.done", messages[-1]
    summary = messages[-1]["summary"]
    assert summary["total_trades"] > 0 and summary["final_amount"] > 0
    progress = messages[:-1]
    assert all(m["backtest_id"] == backtest.pk for m in messages)
    phases = [m["phase"] for m in progress]
    assert "download" in phases and "compute" in phases
    assert phases == sorted(phases, key=["download", "compute"].index)  # jamais de retour arrière
    for phase in ("download", "compute"):
        values = [m["progress"] for m in progress if m["phase"] == phase]
        assert values == sorted(values)
    assert any(0 < m["progress"] < 100 for m in progress if m["phase"] == "download")
    assert any(0 < m["progress"] < 100 for m in progress if m["phase"] == "compute")
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert max(gaps) < 1.5, gaps  # au moins un message par seconde (plus la marge du test)


async def test_connection_sends_current_state_and_refuses_other_users(threaded_sim, launch,  # noqa: F811
                                                                      make_user) -> None:
    user, backtest = await launch(slow_code(0.02), minutes=5)
    communicator = await _connect(user, backtest.pk)
    first = await communicator.receive_json_from(timeout=10)
    assert first["type"] == "backtest.progress" and first["backtest_id"] == backtest.pk
    await communicator.disconnect()

    stranger = await database_sync_to_async(make_user)()
    intruder = await _connect(stranger, backtest.pk)
    assert await intruder.receive_output(timeout=5) == {"type": "websocket.close", "code": 4404}

    from apps.backtest.services import backtest_cancel

    await database_sync_to_async(lambda: backtest_cancel(backtest=backtest))()
    late = await _connect(user, backtest.pk)
    snapshot = await late.receive_json_from(timeout=5)
    assert snapshot["type"] == "backtest.cancelled" and snapshot["status"] == "cancelled"
    await late.disconnect()
