"""Reprise après redémarrage, signaux manqués, Redis coupé puis revenu."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from channels_redis.core import RedisChannelLayer
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from apps.core.models import Alert
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, sim  # noqa: F401
from apps.heartbeat import messages as heartbeat_messages
from apps.heartbeat.models import HeartbeatSignal
from apps.trading.models import Trade
from apps.trading_engine.models import ActiveStrategy, EngineState, Position
from apps.trading_engine.tests.engine_support import (  # noqa: F401
    db,
    long_code,
    make_active,
    running_engine,
    signal,
    strategy_pool,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def test_restart_closes_a_position_whose_stop_loss_filled_while_down(
    sim, make_active, strategy_pool  # noqa: F811
):
    sim.set_price("BTCUSDT", "60000", freeze=True)
    active = await db(make_active)(long_code(size=100, sl=0.02, tp=0.04))
    async with running_engine(strategy_pool) as engine:
        assert [o.action for o in await engine.runner.handle_signal(signal("1m"))] == ["buy"]
    position = await Position.objects.aget(active_strategy_id=active.pk)
    assert position.protection_mode == "exchange"
    sim.set_price("BTCUSDT", "58750", freeze=True)  # moteur arrêté : l'OCO s'exécute sur l'exchange
    async with running_engine(strategy_pool) as engine:
        assert engine.reconcile_report["positions"] == {position.pk: "clôturée (protection exécutée)"}
    await position.arefresh_from_db()
    assert position.status == "closed" and position.exit_reason == "stop_loss"
    assert position.exit_price == Decimal("58750") and position.realized_pnl < 0


async def test_restart_alerts_when_the_base_balance_is_below_the_open_positions(
    sim, make_active, strategy_pool  # noqa: F811
):
    sim.set_price("BTCUSDT", "60000", freeze=True)
    sim.set_account("demo-api-key", "demo-api-secret", {"USDT": "1000"})
    active = await db(make_active)(long_code(size=100, sl=0, tp=0))
    async with running_engine(strategy_pool) as engine:
        await engine.runner.handle_signal(signal("1m"))
    position = await Position.objects.aget(active_strategy_id=active.pk, status="open")
    # Les BTC ont été vendus hors d'Aristobot pendant l'arrêt du moteur.
    sim.set_account("demo-api-key", "demo-api-secret", {"USDT": "1100", "BTC": "0.0001"})
    async with running_engine(strategy_pool) as engine:
        assert engine.reconcile_report["balances"] == 1
    alert = await Alert.objects.aget(kind="position_mismatch")
    assert alert.user_id == active.user_id and alert.symbol == "BTC" and alert.level == "error"
    assert alert.details["positions"] == [position.pk] and "inférieur aux positions ouvertes" in alert.message
    # Quantités citées au format français (« 0,0001 », jamais « 0.0001 »).
    want = f"({position.quantity.normalize():f})".replace(".", ",")
    assert "(0,0001) inférieur" in alert.message and f"ouvertes {want}" in alert.message, alert.message


async def test_restart_adopts_an_entry_that_filled_without_a_position(
    sim, make_active, strategy_pool  # noqa: F811
):
    """Arrêt brutal entre l'achat et l'écriture de la position : pas de second achat au signal suivant."""
    from apps.trading.services.orders import order_place

    active = await db(make_active)(long_code(size=100, sl=0, tp=0))
    broker = await db(lambda: active.broker)()
    trade = await order_place(broker=broker, symbol="BTC/USDT", side="buy", quote_amount=50,
                              source="strategy", role="entry", strategy_id=active.strategy_id,
                              active_strategy_id=active.pk)
    await Trade.objects.filter(pk=trade.pk).aupdate(status="unknown")  # réponse perdue
    async with running_engine(strategy_pool) as engine:
        assert engine.reconcile_report["entries"] == 1
        outcomes = await engine.runner.handle_signal(signal("1m"))
    position = await Position.objects.aget(active_strategy_id=active.pk)
    assert position.entry_trade_id == trade.pk and position.status == "open"
    assert outcomes[0].action == "none"  # en position : pas de nouvel achat
    assert await Trade.objects.filter(active_strategy_id=active.pk, role="entry").acount() == 1


async def test_missed_signals_are_logged_and_never_traded(sim, make_active, strategy_pool):  # noqa: F811
    active = await db(make_active)(long_code(size=20, sl=0, tp=0))
    now = timezone.now().replace(second=0, microsecond=0)
    last = now - timedelta(minutes=10)
    await EngineState.objects.acreate(pk=1, last_signal_at=last,
                                      last_signals={"1m": int((last.timestamp() - 59.999) * 1000)})
    rows = [("1m", last + timedelta(minutes=i)) for i in range(1, 6)] + [("5m", now - timedelta(minutes=5))]
    for symbol in ("BTCUSDT", "ETHUSDT"):  # un signal par symbole suivi : comptés une fois
        for tf, close in rows:
            minutes = int(tf[:-1])
            await HeartbeatSignal.objects.acreate(
                symbol=symbol, timeframe=tf, open_time=close - timedelta(minutes=minutes),
                close_time=close, sent_at=close,
            )
    async with running_engine(strategy_pool) as engine:
        assert engine.reconcile_report["missed_signals"] == {"1m": 5, "5m": 1}
    alert = await Alert.objects.aget(kind="missed_signals")
    assert alert.details["counts"] == {"1m": 5, "5m": 1} and "Aucun ordre" in alert.message
    assert not await Trade.objects.aexists()
    await active.arefresh_from_db()
    assert active.last_run_at is None
    async with running_engine(strategy_pool) as engine:  # pas recomptés au démarrage suivant
        assert engine.reconcile_report["missed_signals"] == {}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis(port: int, tmp: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server ne démarre pas")


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server absent")
async def test_redis_down_then_back_resubscribes_and_trades(
    sim, make_active, strategy_pool, tmp_path  # noqa: F811
):
    """Un Redis privé (le Redis partagé n'est jamais arrêté) est coupé puis relancé sur le même port."""
    port = _free_port()
    server = _redis(port, tmp_path)
    layer = RedisChannelLayer(hosts=[{"address": f"redis://127.0.0.1:{port}/0", "socket_timeout": None}])
    active = await db(make_active)(long_code(size=20, sl=0, tp=0))
    try:
        async with running_engine(strategy_pool, channel_layer=layer) as engine:
            assert engine.listener.subscriptions == 1
            await asyncio.sleep(6)  # au-delà des 5 s du piège redis-py 8 : toujours abonné
            assert engine.listener.subscribed.is_set() and engine.listener.subscriptions == 1
            server.kill()
            server.wait()
            await wait_for(lambda: not engine.listener.subscribed.is_set(), 10, "coupure vue")
            server = _redis(port, tmp_path)
            await wait_for(lambda: engine.listener.subscribed.is_set(), 15, "ré-abonnement")
            assert engine.listener.subscriptions == 2
            await _send_retrying(layer, signal("1m"))
            await wait_for(lambda: db(lambda: ActiveStrategy.objects.get(pk=active.pk).last_run_at)(),
                           15, "signal traité après la reprise")
        assert await Position.objects.filter(active_strategy_id=active.pk).aexists()
    finally:
        await layer.close_pools()
        server.kill()
        server.wait()


async def _send_retrying(layer: RedisChannelLayer, message: dict) -> None:
    """Le client du test garde une connexion morte dans son pool : premier envoi éventuellement raté."""
    for attempt in range(3):
        try:
            await layer.group_send(heartbeat_messages.HEARTBEAT, message)
            return
        except RedisConnectionError:
            if attempt == 2:
                raise
