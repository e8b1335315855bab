"""Le moteur sur un broker papier, contre le simulateur : stratégie déclenchée par le heartbeat, SL
surveillé qui clôt la position, ordre limite exécuté au passage minute, webhook ; aucun appel privé."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from apps.brokers.models import PaperBalance, PaperOrder
from apps.brokers.paper.services import paper_reset
from apps.brokers.tests.paper_fixtures import make_paper_broker, private_requests  # noqa: F401
from apps.core.exceptions import ConflictError
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, sim  # noqa: F401
from apps.trading.models import Trade
from apps.trading.services.orders import order_place
from apps.trading_engine.models import ActiveStrategy, Position
from apps.trading_engine.tests.engine_support import (  # noqa: F401
    db,
    long_code,
    make_active,
    running_engine,
    send_signal,
    signal,
    strategy_pool,
    wait_for,
)
from apps.webhooks.models import Webhook
from apps.webhooks.services import webhook_config_get_or_create, webhook_receive

pytestmark = pytest.mark.django_db(transaction=True)


def _open_position(active_id: int) -> Position | None:
    return Position.objects.filter(active_strategy_id=active_id, status="open").first()


def _ran(active_id: int) -> bool:
    return ActiveStrategy.objects.filter(pk=active_id, last_run_at__isnull=False).exists()


async def _free(broker: Any, asset: str) -> Decimal:
    row = await PaperBalance.objects.filter(broker=broker, asset=asset).afirst()
    return row.free if row else Decimal(0)


async def test_strategy_on_a_paper_broker_trades_on_heartbeat_signals_and_its_watched_sl_closes_it(
    sim, make_active, make_paper_broker, strategy_pool  # noqa: F811
):
    sim.set_price("BTCUSDT", "60000", freeze=True)
    broker = await db(make_paper_broker)()
    active = await db(make_active)(long_code(size=100, sl=0.02, tp=0.04), broker=broker)
    sim.requests_reset()
    async with running_engine(strategy_pool) as engine:
        await send_signal(signal("1m"))
        await wait_for(lambda: db(_ran)(active.pk), 15, "stratégie exécutée")
        position = await db(_open_position)(active.pk)
        assert position is not None, (await ActiveStrategy.objects.aget(pk=active.pk)).last_error
        entry = await Trade.objects.aget(pk=position.entry_trade_id)
        assert (entry.status, entry.is_paper) == ("filled", True)
        assert (entry.source, entry.role) == ("strategy", "entry")
        assert position.protection_mode == "watched" and not position.order_list_id  # pas d'OCO en papier
        assert position.quantity == entry.quantity - entry.fee
        assert await _free(broker, "BTC") == position.quantity
        assert await _free(broker, "USDT") == Decimal(10000) - entry.cost
        assert not await Trade.objects.filter(active_strategy_id=active.pk, role="stop_loss").aexists()

        sim.set_price("BTCUSDT", "58700", freeze=True)  # sous le SL (58 800)
        results = await engine.monitor.check_all()
        assert results[position.pk] == "clôturée (stop_loss)"
    await position.arefresh_from_db()
    assert (position.status, position.exit_reason) == ("closed", "stop_loss")
    exit_trade = await Trade.objects.aget(pk=position.exit_trade_id)
    assert (exit_trade.side, exit_trade.status, exit_trade.is_paper) == ("sell", "filled", True)
    assert exit_trade.price == Decimal("58700") and exit_trade.fee_asset == "USDT"
    assert position.realized_pnl == exit_trade.profit_loss and Decimal("-3") < position.realized_pnl < 0
    assert await _free(broker, "BTC") < Decimal("0.00001")  # la poussière sous le pas reste
    assert private_requests(sim.requests) == {}


async def test_open_limit_order_is_filled_by_the_engine_minute_watch(sim, make_paper_broker, strategy_pool):  # noqa: F811
    sim.set_price("BTCUSDT", "60000", freeze=True)
    broker = await db(make_paper_broker)()
    trade = await order_place(broker=broker, symbol="BTC/USDT", side="buy", order_type="limit",
                              quantity="0.01", price="59000")
    assert trade.status == "open"
    sim.set_price("BTCUSDT", "58500", freeze=True)
    async with running_engine(strategy_pool) as engine:
        await engine.monitor.check_all()
    assert (await PaperOrder.objects.aget(pk=trade.exchange_order_id)).status == "closed"
    await trade.arefresh_from_db()  # la ligne du journal suit (relue par le passage minute)
    assert (trade.status, trade.price, trade.quantity) == ("filled", Decimal("59000"), Decimal("0.01"))
    assert await _free(broker, "BTC") == Decimal("0.00999")


async def test_reset_is_refused_while_a_strategy_position_is_open(
    sim, make_active, make_paper_broker, strategy_pool  # noqa: F811
):
    sim.set_price("BTCUSDT", "60000", freeze=True)
    broker = await db(make_paper_broker)()
    active = await db(make_active)(long_code(size=100, sl=0.02, tp=0.04), broker=broker)
    async with running_engine(strategy_pool):
        await send_signal(signal("1m"))
        await wait_for(lambda: db(_open_position)(active.pk), 15, "position ouverte")
    with pytest.raises(ConflictError, match="position de stratégie est ouverte"):
        await db(paper_reset)(broker=broker)
    assert await _free(broker, "BTC") > 0


def _receive(user: Any, **payload: Any) -> Webhook:
    config = webhook_config_get_or_create(user=user)
    body = json.dumps({"secret": config.secret, "symbol": "BTCUSDT", **payload}).encode()
    return webhook_receive(token=config.token, raw_body=body, content_type="application/json",
                           remote_addr="127.0.0.1", headers={}).webhook


async def _done(webhook_id: int) -> Webhook | None:
    webhook = await Webhook.objects.aget(pk=webhook_id)
    return webhook if webhook.status in ("done", "error") else None


async def test_webhooks_trade_on_a_paper_broker(sim, make_paper_broker, strategy_pool):  # noqa: F811
    sim.set_price("BTCUSDT", "60000", freeze=True)
    broker = await db(make_paper_broker)(name="Papier")
    sim.requests_reset()
    buy = await db(_receive)(broker.user, action="buy", amount="100", tp="0.05", broker="Papier", id="p1")
    async with running_engine(strategy_pool, webhook_poll_s=0.2) as engine:
        webhook = await wait_for(lambda: _done(buy.pk), 10, "achat par webhook")
        assert webhook.status == "done", webhook.error_message
        entry, take = [t async for t in Trade.objects.filter(webhook_id=buy.pk).order_by("id")]
        assert [(t.role, t.status, t.is_paper) for t in (entry, take)] == [
            ("entry", "filled", True), ("take_profit", "open", True)]  # TP = ordre limite papier
        assert take.requested_price == Decimal("63000.01")  # entrée (ask) × 1,05 au pas de cotation
        sim.set_price("BTCUSDT", "63100", freeze=True)
        await engine.monitor.check_all()  # passage minute : le TP croisé est exécuté, sa ligne suit
        await take.arefresh_from_db()
        assert (take.status, take.price) == ("filled", Decimal("63000.01"))
        again = await db(_receive)(broker.user, action="buy", amount="100", broker="Papier", id="p2")
        await wait_for(lambda: _done(again.pk), 10, "second achat")
        close = await db(_receive)(broker.user, action="close", broker="Papier", id="p3")
        closed = await wait_for(lambda: _done(close.pk), 10, "clôture par webhook")
    assert closed.status == "done", closed.error_message
    sold = await Trade.objects.aget(webhook_id=close.pk)
    assert (sold.side, sold.status, sold.is_paper) == ("sell", "filled", True)
    assert await _free(broker, "BTC") < Decimal("0.00001")
    assert private_requests(sim.requests) == {}
