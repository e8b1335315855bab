"""Exécution des webhooks par le moteur : réveil Redis, relecture, doublons, SL/TP, close, erreurs."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from apps.core import groups
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, sim  # noqa: F401
from apps.heartbeat.tests.heartbeat_helpers import Listener
from apps.trading.models import Trade
from apps.trading_engine.tests.engine_support import (  # noqa: F401
    db,
    running_engine,
    strategy_pool,
    wait_for,
)
from apps.webhooks.models import Webhook
from apps.webhooks.services import webhook_config_get_or_create, webhook_receive

pytestmark = pytest.mark.django_db(transaction=True)


def _receive(user: Any, **payload: Any) -> Webhook:
    config = webhook_config_get_or_create(user=user)
    body = json.dumps({"secret": config.secret, "symbol": "BTCUSDT", **payload}).encode()
    outcome = webhook_receive(token=config.token, raw_body=body, content_type="application/json",
                              remote_addr="127.0.0.1", headers={})
    return outcome.webhook


async def _done(webhook_id: int) -> Webhook | None:
    webhook = await Webhook.objects.aget(pk=webhook_id)
    return webhook if webhook.status in ("done", "error") else None


async def test_pending_webhook_is_executed_once_with_protections(sim, make_broker, strategy_pool):  # noqa: F811
    sim.set_price("BTCUSDT", "60000", freeze=True)
    broker = await db(make_broker)()
    async with running_engine(strategy_pool, webhook_poll_s=3600) as engine, \
            Listener(groups.user_group(broker.user_id)) as ws:
        first = await db(_receive)(broker.user, action="buy", amount="100", sl="0.02", tp="0.05", id="a1")
        again = await db(_receive)(broker.user, action="buy", amount="100", sl="0.02", tp="0.05", id="a1")
        assert (first.status, again.status) == ("pending", "duplicate")
        webhook = await wait_for(lambda: _done(first.pk), 10, "webhook exécuté (réveil Redis)")
        assert engine.webhooks.executed == 1
        await wait_for(lambda: any(m["webhook_id"] == first.pk and m["status"] == "done"
                                   for m in ws.of_type("webhook.logged")), 5, "notification")
    assert webhook.status == "done" and webhook.processed and webhook.processed_at, webhook.error_message
    trades = [t async for t in Trade.objects.filter(webhook_id=first.pk).order_by("id")]
    assert [(t.source, t.role, t.side, t.status) for t in trades] == [
        ("webhook", "entry", "buy", "filled"), ("webhook", "stop_loss", "sell", "open"),
        ("webhook", "take_profit", "sell", "open"),
    ]
    assert trades[0].requested_quote_amount == Decimal("100")
    assert trades[2].requested_price == Decimal("63000")
    assert not await Trade.objects.filter(webhook_id=again.pk).aexists()
    assert len([o for o in sim.engine.orders.values() if o.type == "MARKET"]) == 1


async def test_polling_picks_up_webhooks_missed_by_redis_and_reports_errors(
    sim, make_broker, strategy_pool  # noqa: F811
):
    sim.set_price("BTCUSDT", "60000", freeze=True)
    broker = await db(make_broker)(name="Principal")
    # Reçus pendant que le moteur était arrêté (notification perdue) : relus au démarrage.
    close = await db(_receive)(broker.user, action="close", broker="Principal", id="c1")
    unknown = await db(_receive)(broker.user, action="buy", quantity="0.001", broker="Inconnu", id="c2")
    too_much = await db(_receive)(broker.user, action="buy", percent="50", order_type="limit",
                                  price="1000", id="c3")
    async with running_engine(strategy_pool, webhook_poll_s=0.2):
        done = [await wait_for(lambda w=w: _done(w.pk), 10, "webhook traité")
                for w in (close, unknown, too_much)]
    close_wh, unknown_wh, limit_wh = done
    assert close_wh.status == "done"
    sold = await Trade.objects.aget(webhook_id=close.pk)
    assert (sold.side, sold.role, sold.quantity, sold.status) == ("sell", "exit", Decimal("0.5"), "filled")
    assert unknown_wh.status == "error" and unknown_wh.error_message == (
        "Broker « Inconnu » introuvable pour cet utilisateur.")
    assert limit_wh.status == "done"
    limit = await Trade.objects.aget(webhook_id=too_much.pk)
    # 50 % du solde USDT libre (10 000 + vente des 0,5 BTC) en ordre limite à 1000 : reste ouvert.
    assert (limit.order_type, limit.status, limit.requested_price) == ("limit", "open", Decimal("1000"))


async def test_a_webhook_interrupted_by_a_crash_is_not_replayed(sim, make_broker, strategy_pool):  # noqa: F811
    from apps.trading.services.orders import order_place

    broker = await db(make_broker)()
    webhook = await db(_receive)(broker.user, action="buy", quantity="0.001", id="x1")
    await Webhook.objects.filter(pk=webhook.pk).aupdate(status="processing")  # pris puis arrêt brutal
    await order_place(broker=broker, symbol="BTC/USDT", side="buy", quantity="0.001", source="webhook",
                      role="entry", webhook_id=webhook.pk)
    orphan = await db(_receive)(broker.user, action="buy", quantity="0.001", id="x2")
    await Webhook.objects.filter(pk=orphan.pk).aupdate(status="processing")  # pris, ordre jamais parti
    async with running_engine(strategy_pool, webhook_poll_s=0.2):
        await wait_for(lambda: _done(orphan.pk), 10, "webhook rejoué")
    await webhook.arefresh_from_db()
    assert webhook.status == "done" and "reprise" in webhook.error_message
    assert await Trade.objects.filter(webhook_id=webhook.pk).acount() == 1  # pas d'ordre en double
    assert await Trade.objects.filter(webhook_id=orphan.pk, status="filled").acount() == 1


