"""Journal des webhooks : trade lié, recherche texte, isolation ; relais `webhook.logged` en direct."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from apps.core import groups
from apps.core.consumers import LiveConsumer
from apps.trading.models import Trade
from apps.webhooks.models import Webhook


def _hook(user, **kw):  # noqa: ANN001, ANN202
    return Webhook.objects.create(user=user, **kw)


@pytest.mark.django_db
def test_log_rows_carry_first_trade_id_and_text_filter(make_user, logged_client) -> None:  # noqa: ANN001
    user = make_user("trader")
    done = _hook(user, source="tv-scalp", status="done", raw_body='{"symbol": "ETHUSDT"}')
    pending = _hook(user, source="tradingview", status="pending", raw_body='{"symbol": "BTCUSDT"}')
    _hook(make_user("autre"), source="tv-scalp", status="done")
    first = Trade.objects.create(user=user, webhook_id=done.pk, exchange="binance", source="webhook",
                                 side="buy", symbol="ETH/USDT", client_order_id="log-1")
    Trade.objects.create(user=user, webhook_id=done.pk, exchange="binance", source="webhook",
                         side="sell", symbol="ETH/USDT", client_order_id="log-2", role="stop_loss")
    client = logged_client(user)
    rows = client.get("/api/webhooks/").json()["results"]
    assert {r["id"]: r["trade_id"] for r in rows} == {done.pk: first.pk, pending.pk: None}
    assert [r["id"] for r in client.get("/api/webhooks/", {"q": "ethusdt"}).json()["results"]] == [done.pk]
    assert [r["id"] for r in client.get("/api/webhooks/", {"q": "SCALP"}).json()["results"]] == [done.pk]
    assert [r["id"] for r in client.get("/api/webhooks/", {"q": str(pending.pk)}).json()["results"]] == [
        pending.pk]
    both = client.get("/api/webhooks/", {"q": "usdt", "status": "pending"}).json()["results"]
    assert [r["id"] for r in both] == [pending.pk]
    assert client.get(f"/api/webhooks/{done.pk}/").json()["trade_id"] == first.pk


@pytest.mark.django_db(transaction=True)
async def test_webhook_logged_is_relayed_to_the_users_socket() -> None:
    from apps.accounts.services import user_create

    user = await database_sync_to_async(user_create)(username="wslog", password="motdepasse-solide-42")
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/heartbeat/")
    communicator.scope["user"] = user
    assert (await communicator.connect())[0]
    assert (await communicator.receive_json_from(timeout=5))["type"] == "status.update"
    event = {"type": "webhook.logged", "webhook_id": 42, "status": "done"}
    await get_channel_layer().group_send(groups.user_group(user.pk), event)
    assert await communicator.receive_json_from(timeout=5) == event
    trade = {"type": "trade.created", "trade_id": 7, "webhook_id": 42, "active_strategy_id": None,
             "role": "entry", "side": "buy", "symbol": "BTC/USDT", "status": "filled"}
    await get_channel_layer().group_send(groups.user_group(user.pk), trade)
    assert await communicator.receive_json_from(timeout=5) == trade
    await communicator.disconnect()


@pytest.mark.django_db
def test_config_lists_the_allowed_ips(make_user, logged_client, settings) -> None:  # noqa: ANN001
    settings.ARISTOBOT_WEBHOOK_EXTRA_IPS = ["10.0.0.9"]
    data = logged_client(make_user("ips")).get("/api/webhooks/config/").json()
    assert "52.89.214.238" in data["allowed_ips"] and "10.0.0.9" in data["allowed_ips"]
    assert data["ip_allowlist_enabled"] is False


@pytest.mark.django_db(transaction=True)
def test_rejected_alert_is_announced_live_to_its_user(make_user) -> None:  # noqa: ANN001
    import json

    from asgiref.sync import async_to_sync
    from django.test import Client

    from apps.webhooks.services import webhook_config_get_or_create

    config = webhook_config_get_or_create(user=make_user("rejet"))
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(groups.user_group(config.user_id), channel)
    alert = {"secret": "faux", "symbol": "BTCUSDT", "action": "buy", "amount": 5}
    resp = Client().post(f"/api/webhooks/receive/{config.token}/", content_type="application/json",
                         data=json.dumps(alert))
    assert resp.status_code == 401
    hook = Webhook.objects.get(user=config.user)
    message = async_to_sync(layer.receive)(channel)
    assert message == {"type": "webhook.logged", "webhook_id": hook.pk, "status": "rejected"}
