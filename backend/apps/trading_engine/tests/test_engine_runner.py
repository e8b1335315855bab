"""Sélection des stratégies par signal, exécution concurrente, stratégies défaillantes isolées."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, sim  # noqa: F401
from apps.trading.models import Trade
from apps.trading_engine.models import ActiveStrategy, Position
from apps.trading_engine.tests.engine_support import (  # noqa: F401
    CRASHES,
    LOOPS,
    db,
    long_code,
    make_active,
    running_engine,
    signal,
    strategy_pool,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def test_only_live_strategies_of_the_signal_timeframe_run(
    sim, make_active, make_broker, strategy_pool  # noqa: F811
):
    broker = await db(make_broker)()
    now = timezone.now()
    code = long_code(size=20, sl=0, tp=0)
    live = await db(make_active)(code, broker=broker, timeframe="5m")
    other_symbol = await db(make_active)(code, broker=broker, timeframe="5m", symbol="ETH/USDT")
    other_tf = await db(make_active)(code, broker=broker, timeframe="15m")
    ended = await db(make_active)(code, broker=broker, timeframe="5m", start=now - timedelta(days=2),
                                  end=now - timedelta(minutes=1))
    future = await db(make_active)(code, broker=broker, timeframe="5m", start=now + timedelta(hours=1))
    suspended = await db(make_active)(code, broker=broker, timeframe="5m", is_active=False)
    async with running_engine(strategy_pool) as engine:
        outcomes = await engine.runner.handle_signal(signal("5m"))
        # Même bougie annoncée pour un autre symbole suivi par le heartbeat : pas de second passage.
        assert await engine.runner.handle_signal(signal("5m", symbol="ETHUSDT")) is None
    # Le symbole du signal (BTCUSDT) ne filtre pas : la stratégie ETH/USDT en 5m tourne aussi.
    assert sorted(o.active_strategy_id for o in outcomes) == sorted([live.pk, other_symbol.pk])
    assert all(o.action == "buy" and not o.error for o in outcomes)
    ran = {a.pk async for a in ActiveStrategy.objects.filter(last_run_at__isnull=False)}
    assert ran == {live.pk, other_symbol.pk}
    for idle in (other_tf, ended, future, suspended):
        assert not await Trade.objects.filter(active_strategy_id=idle.pk).aexists()
    eth = await Position.objects.aget(active_strategy_id=other_symbol.pk)
    assert eth.symbol == "ETH/USDT" and eth.protection_mode == "watched"  # ni SL ni TP


async def test_twenty_strategies_on_one_signal_run_concurrently(
    sim, make_active, make_broker, strategy_pool  # noqa: F811
):
    sim.latency_ms = 50  # chaque requête REST prend 50 ms
    broker = await db(make_broker)()
    actives = [await db(make_active)(long_code(size=20, sl=0, tp=0), broker=broker) for _ in range(20)]
    async with running_engine(strategy_pool) as engine:
        started = time.perf_counter()
        outcomes = await engine.runner.handle_signal(signal("1m"))
        wall = time.perf_counter() - started
    assert len(outcomes) == 20 and all(o.action == "buy" and not o.error for o in outcomes), outcomes
    total = sum(o.duration_s for o in outcomes)
    assert wall < total / 4, f"pas de parallélisme : {wall:.2f} s pour une somme de {total:.2f} s"
    assert await Position.objects.filter(active_strategy__in=actives, status="open").acount() == 20


async def test_crashing_and_looping_strategies_do_not_block_the_others(
    sim, make_active, make_broker, strategy_pool  # noqa: F811
):
    broker = await db(make_broker)()
    crash = await db(make_active)(CRASHES, broker=broker)
    loop = await db(make_active)(LOOPS, broker=broker)
    good = [await db(make_active)(long_code(size=20, sl=0, tp=0), broker=broker) for _ in range(3)]
    async with running_engine(strategy_pool, strategy_timeout_s=3.0) as engine:
        started = time.perf_counter()
        outcomes = {o.active_strategy_id: o for o in await engine.runner.handle_signal(signal("1m"))}
        wall = time.perf_counter() - started
    assert all(outcomes[a.pk].action == "buy" for a in good)
    # Les bonnes stratégies finissent sans attendre que la boucle infinie soit tuée (délai 3 s).
    assert max(outcomes[a.pk].duration_s for a in good) < 3.0 <= outcomes[loop.pk].duration_s
    assert wall < 6.0
    await crash.arefresh_from_db()
    await loop.arefresh_from_db()
    assert "ZeroDivisionError" in crash.last_error and crash.last_error.startswith("Stratégie « ")
    assert "Délai dépassé" in loop.last_error
    for bad in (crash, loop):
        assert outcomes[bad.pk].action == "none" and bad.last_run_at is not None
        assert not await Trade.objects.filter(active_strategy_id=bad.pk).aexists()
    # Le moteur survit : un signal suivant est traité normalement (le worker tué a été remplacé).


async def test_exchange_errors_are_recorded_on_the_strategy(sim, make_active, strategy_pool):  # noqa: F811
    active = await db(make_active)(long_code(size=20, sl=0, tp=0))
    async with running_engine(strategy_pool) as engine:
        sim.set_down("503")
        outcomes = await engine.runner.handle_signal(signal("1m"))
        sim.set_down(None)
        assert outcomes[0].error and "Binance" in outcomes[0].error
        await active.arefresh_from_db()
        assert active.last_error == outcomes[0].error
        assert not await Trade.objects.filter(active_strategy_id=active.pk).aexists()
        outcomes = await engine.runner.handle_signal(signal("1m") | {"open_time": 10**13})
    assert outcomes[0].action == "buy"
    await active.arefresh_from_db()
    assert active.last_error == ""


async def test_size_is_capped_by_the_free_quote_balance(sim, make_active, strategy_pool):  # noqa: F811
    sim.set_account("demo-api-key", "demo-api-secret", {"USDT": "30"})
    active = await db(make_active)(long_code(size=1000, sl=0, tp=0))
    async with running_engine(strategy_pool) as engine:
        outcomes = await engine.runner.handle_signal(signal("1m"))
    assert outcomes[0].action == "buy"
    trade = await Trade.objects.aget(active_strategy_id=active.pk)
    assert trade.requested_quote_amount == 30
