"""WebSocket `/ws/heartbeat/` à travers le vrai channel layer Redis."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from apps.core import groups
from apps.core.consumers import LiveConsumer
from apps.heartbeat import messages as heartbeat_messages
from aristobot.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def _user():  # noqa: ANN202
    from apps.accounts.services import user_create

    return user_create(username="wsuser", password="motdepasse-solide-42")


async def _connected(user):  # noqa: ANN001, ANN202
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/heartbeat/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    first = await communicator.receive_json_from(timeout=5)
    assert first["type"] == "status.update"
    return communicator, first


async def test_anonymous_connection_is_refused() -> None:
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/heartbeat/")
    communicator.scope["user"] = AnonymousUser()
    connected, _ = await communicator.connect()
    assert connected
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4401}


async def test_asgi_app_refuses_foreign_origin() -> None:
    communicator = WebsocketCommunicator(application, "/ws/heartbeat/",
                                         headers=[(b"origin", b"http://evil.example")])
    connected, _ = await communicator.connect()
    assert not connected


async def test_status_then_signals_and_raw_stream_are_relayed() -> None:
    user = await _user()
    communicator, first = await _connected(user)
    assert set(first["status"]) == {"heartbeat", "coherent", "open_alerts", "live_strategies",
                                    "testnet", "venues"}
    layer = get_channel_layer()
    signal = {"type": "heartbeat.signal", "timeframe": "5m", "symbol": "BTCUSDT",
              "open_time": 1_700_000_100_000, "close_time": 1_700_000_399_999,
              "sent_at": "2026-11-25T10:00:00+00:00"}
    await layer.group_send(heartbeat_messages.HEARTBEAT, signal)
    assert await communicator.receive_json_from(timeout=5) == signal
    raw = {"type": "stream.raw", "received_at": "2026-11-25T10:00:00+00:00",
           "data": {"stream": "btcusdt@kline_1m", "data": {"e": "kline"}}}
    await layer.group_send(heartbeat_messages.STREAM_BRUT, raw)
    assert await communicator.receive_json_from(timeout=5) == raw
    await layer.group_send(groups.STATUS, {"type": groups.MSG_STATUS_CHANGED})
    assert (await communicator.receive_json_from(timeout=5))["type"] == "status.update"
    await communicator.disconnect()


@pytest.mark.slow
async def test_idle_consumer_survives_more_than_five_seconds() -> None:
    """Piège redis-py 8 : sans socket_timeout=None, un consommateur inactif meurt après 5 s."""
    user = await _user()
    communicator, _ = await _connected(user)
    await asyncio.sleep(6.5)
    layer = get_channel_layer()
    signal = {"type": "heartbeat.signal", "timeframe": "1m", "symbol": "BTCUSDT",
              "open_time": 1, "close_time": 60_000, "sent_at": "2026-11-25T10:00:00+00:00"}
    await layer.group_send(heartbeat_messages.HEARTBEAT, signal)
    assert await communicator.receive_json_from(timeout=5) == signal
    await communicator.disconnect()


async def test_trading_bot_events_are_relayed_to_their_user() -> None:
    """Page Trading BOT : `active_strategy.changed` et `position.changed` du groupe `user_<id>`."""
    user = await _user()
    communicator, _ = await _connected(user)
    layer = get_channel_layer()
    changed = {"type": "active_strategy.changed", "active_strategy_id": 3, "is_active": False,
               "last_error": ""}
    await layer.group_send(groups.user_group(user.pk), changed)
    assert await communicator.receive_json_from(timeout=5) == changed
    position = {"type": "position.changed", "position_id": 9, "active_strategy_id": 3,
                "status": "closed", "last_price": "60000", "unrealized_pnl": None,
                "realized_pnl": "1.5"}
    await layer.group_send(groups.user_group(user.pk), position)
    assert await communicator.receive_json_from(timeout=5) == position
    await communicator.disconnect()


async def test_undeclared_message_types_never_reach_the_browser(caplog) -> None:  # noqa: ANN001
    """Seuls les types déclarés par les apps (LIVE_EVENTS) sont relayés ; un autre est ignoré
    sans fermer la connexion."""
    user = await _user()
    communicator, _ = await _connected(user)
    layer = get_channel_layer()
    await layer.group_send(groups.user_group(user.pk), {"type": "engine.internal", "token": "chut"})
    trade = {"type": "trade.created", "trade_id": 1, "active_strategy_id": None, "webhook_id": 4,
             "role": "entry", "side": "buy", "symbol": "BTC/USDT", "status": "filled"}
    await layer.group_send(groups.user_group(user.pk), trade)
    assert await communicator.receive_json_from(timeout=5) == trade
    assert await communicator.receive_nothing(timeout=0.3)
    assert "engine.internal" in caplog.text and "chut" not in caplog.text
    await communicator.disconnect()
