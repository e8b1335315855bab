"""De bout en bout : signal Redis → stratégie → achat + OCO sur le simulateur → SL touché → P&L."""

from __future__ import annotations

from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async

from apps.core import groups
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, sim  # noqa: F401
from apps.heartbeat.tests.heartbeat_helpers import Listener
from apps.trading.models import Trade
from apps.trading.services import protection
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

pytestmark = pytest.mark.django_db(transaction=True)


def _ran(active_id: int) -> bool:
    return ActiveStrategy.objects.filter(pk=active_id, last_run_at__isnull=False).exists()


def _open_position(active_id: int) -> Position | None:
    return Position.objects.filter(active_strategy_id=active_id, status="open").first()


async def test_signal_buys_places_oco_and_stop_loss_closes_with_pnl(sim, make_active, strategy_pool):  # noqa: F811
    sim.set_price("BTCUSDT", "60000", freeze=True)
    active = await db(make_active)(long_code(size=100, sl=0.02, tp=0.04))
    async with running_engine(strategy_pool) as engine, Listener(groups.user_group(active.user_id)) as ws:
        await send_signal(signal("1m"))
        await wait_for(lambda: db(_ran)(active.pk), 15, "stratégie exécutée")
        position = await db(_open_position)(active.pk)
        assert position.protection_mode == "exchange" and position.order_list_id
        entry = await Trade.objects.aget(pk=position.entry_trade_id)
        assert (entry.source, entry.role, entry.side, entry.status) == ("strategy", "entry", "buy", "filled")
        assert entry.strategy_id == active.strategy_id and entry.active_strategy_id == active.pk
        assert entry.requested_quote_amount == Decimal("100") and entry.fee_asset == "BTC"
        assert position.quantity == entry.quantity - entry.fee  # net des frais en BTC
        assert position.stop_loss_price == Decimal("60000") * Decimal("0.98")
        assert position.take_profit_price == Decimal("60000") * Decimal("1.04")
        legs = [t async for t in Trade.objects.filter(active_strategy_id=active.pk, order_type="oco")]
        assert sorted((t.role, t.status) for t in legs) == [("stop_loss", "open"), ("take_profit", "open")]

        # Le prix passe sous le SL (mais au-dessus du prix limite du stop-limit) : l'OCO s'exécute.
        sim.set_price("BTCUSDT", "58700", freeze=True)
        results = await engine.monitor.check_all()
        assert results[position.pk].startswith("clôturée")
        await position.arefresh_from_db()
        assert position.status == "closed" and position.exit_reason == "stop_loss"
        exit_trade = await Trade.objects.aget(pk=position.exit_trade_id)
        assert (exit_trade.role, exit_trade.status, exit_trade.price) == ("stop_loss", "filled",
                                                                           Decimal("58700"))
        assert exit_trade.fee_asset == "USDT" and exit_trade.fee > 0
        expected = (exit_trade.cost - exit_trade.fee_quote - position.entry_cost * (
            exit_trade.quantity / position.quantity)).quantize(Decimal("1e-12"))
        assert position.realized_pnl == exit_trade.profit_loss == expected
        assert Decimal("-3") < position.realized_pnl < Decimal("-2")  # ≈ −2,2 % de 100 USDT
        assert exit_trade.profit_loss_pct < 0
        await wait_for(lambda: ws.of_type("position.changed") and ws.of_type("trade.created"), 5,
                       "notifications WebSocket")
    await active.arefresh_from_db()
    assert active.last_run_at is not None and active.last_error == ""


async def test_watched_mode_sells_at_market_when_take_profit_is_reached(
    sim, make_active, strategy_pool, monkeypatch  # noqa: F811
):
    monkeypatch.setattr(protection, "exchange_supports", lambda *a, **k: False)
    sim.set_price("BTCUSDT", "60000", freeze=True)
    active = await db(make_active)(long_code(size=50, sl=0.02, tp=0.01))
    async with running_engine(strategy_pool) as engine:
        outcomes = await engine.runner.handle_signal(signal("1m"))
        assert [o.action for o in outcomes] == ["buy"]
        position = await db(_open_position)(active.pk)
        assert position.protection_mode == "watched" and not position.sl_order_id
        sim.set_price("BTCUSDT", "60300", freeze=True)  # sous le TP : rien
        assert (await engine.monitor.check_all())[position.pk] == "ouverte"
        await position.arefresh_from_db()
        assert position.last_price == Decimal("60300") and position.unrealized_pnl > 0
        sim.set_price("BTCUSDT", "60700", freeze=True)  # au-delà du TP (60600)
        assert (await engine.monitor.check_all())[position.pk] == "clôturée (take_profit)"
        await position.arefresh_from_db()
        exit_trade = await Trade.objects.aget(pk=position.exit_trade_id)
        assert (exit_trade.role, exit_trade.side, exit_trade.price) == ("exit", "sell", Decimal("60700"))
        assert position.exit_reason == "take_profit" and position.realized_pnl > 0


async def test_should_short_sells_the_whole_position_after_cancelling_the_oco(
    sim, make_active, strategy_pool  # noqa: F811
):
    sim.set_price("BTCUSDT", "60000", freeze=True)
    active = await db(make_active)(long_code(size=100, sl=0.02, tp=0.04))
    async with running_engine(strategy_pool) as engine:
        assert [o.action for o in await engine.runner.handle_signal(signal("1m"))] == ["buy"]
        strategy = await sync_to_async(lambda: active.strategy)()
        strategy.code = "class V(Strategy):\n    def should_short(self):\n        return True\n"
        await strategy.asave()
        sim.set_price("BTCUSDT", "61000", freeze=True)
        outcomes = await engine.runner.handle_signal(signal("1m", open_time=None) | {"open_time": 1})
        assert outcomes is None  # open_time plus ancien : signal déjà traité, ignoré
        outcomes = await engine.runner.handle_signal(signal("1m") | {"open_time": 10**13})
        assert [o.action for o in outcomes] == ["sell"]
    position = await Position.objects.aget(active_strategy_id=active.pk)
    assert position.status == "closed" and position.exit_reason == "signal"
    legs = [t.status async for t in Trade.objects.filter(active_strategy_id=active.pk, order_type="oco")]
    assert legs == ["canceled", "canceled"]
    assert not sim.engine.account_orders("demo-api-key", "BTCUSDT", open_only=True)
    assert position.realized_pnl > 0


async def test_stop_loss_alone_is_a_stop_limit_order_on_the_exchange(
    sim, make_active, strategy_pool  # noqa: F811
):
    sim.set_price("BTCUSDT", "60000", freeze=True)
    active = await db(make_active)(long_code(size=50, sl=0.01, tp=0))
    async with running_engine(strategy_pool) as engine:
        await engine.runner.handle_signal(signal("1m"))
        position = await db(_open_position)(active.pk)
        assert position.protection_mode == "exchange" and position.sl_order_id
        assert not position.tp_order_id and not position.order_list_id and position.take_profit_price is None
        stop = await Trade.objects.aget(active_strategy_id=active.pk, role="stop_loss")
        assert (stop.order_type, stop.status) == ("stop_loss_limit", "open")
        assert stop.requested_price == Decimal("59400") * (1 - Decimal("0.005"))  # prix limite sous le stop
        sim.set_price("BTCUSDT", "59350", freeze=True)
        assert (await engine.monitor.check_all())[position.pk] == "clôturée (protection exécutée)"
    await position.arefresh_from_db()
    assert position.exit_reason == "stop_loss" and position.exit_price == Decimal("59350")


async def test_ten_minute_candles_are_built_from_one_minute_and_closed_only(sim, make_broker):  # noqa: F811
    from apps.core.services.exchange_ops import candles_fetch

    broker = await db(make_broker)()
    rows = await candles_fetch(broker, "BTC/USDT", "10m", 300)
    now_ms = sim.clock.now_ms()
    assert len(rows) == 300
    assert all(row[0] % 600_000 == 0 for row in rows)
    assert all(b[0] - a[0] == 600_000 for a, b in zip(rows, rows[1:], strict=False))
    assert rows[-1][0] + 600_000 <= now_ms < rows[-1][0] + 1_200_000  # dernière bougie close
