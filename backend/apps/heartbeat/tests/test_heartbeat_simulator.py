"""Le démon contre le simulateur Binance en processus (WebSocket + REST, temps accéléré)."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import aiohttp
import pytest
from channels.db import database_sync_to_async
from exchange_simulator.testing import make_ccxt_binance, running_simulator

from apps.core import groups
from apps.core.timeframes import TIMEFRAME_MINUTES
from apps.heartbeat import messages as heartbeat_messages
from apps.heartbeat.models import CandleHeartbeat, HeartbeatStatus
from apps.heartbeat.service import HeartbeatService
from apps.heartbeat.tests.heartbeat_helpers import (  # noqa: F401 — fixture
    Listener,
    assert_contiguous,
    hb_config,
    isolated_channel_layer,
    running,
    signal_keys,
    stored_open_times,
    wait_for,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.usefixtures("isolated_channel_layer"),
]

SPEED = 120.0  # 2 minutes simulées par seconde réelle
MINUTE = 60_000


@pytest.fixture
async def sim():  # noqa: ANN201
    async with running_simulator(seed=11, speed=SPEED, symbols=["BTCUSDT"]) as simulator:
        yield simulator


def _service(sim, **overrides) -> HeartbeatService:  # noqa: ANN001
    config = hb_config(ws_url=sim.ws_url, rest_url=sim.base_url, **overrides)
    return HeartbeatService(config, clock_ms=sim.clock.now_ms)


def _live_1m(listener: Listener) -> list[dict]:
    return [m for m in listener.of_type(heartbeat_messages.MSG_HEARTBEAT_SIGNAL) if m["timeframe"] == "1m"]


async def test_daemon_stores_candles_and_sends_one_signal_per_closed_candle(sim) -> None:  # noqa: ANN001
    service = _service(sim)
    async with Listener("Heartbeat", groups.STATUS) as listener, running(service):
        await wait_for(lambda: len(_live_1m(listener)) >= 4, 15, "4 signaux 1m")
        await wait_for(
            lambda: any(m["timeframe"] == "5m" for m in listener.of_type("heartbeat.signal")), 10
        )
        status = await database_sync_to_async(HeartbeatStatus.objects.get)(pk=1)
        assert status.is_connected and status.symbols == ["BTCUSDT"]
        assert status.last_message_at is not None and status.started_at is not None
        assert listener.of_type(groups.MSG_STATUS_CHANGED)  # la barre de statut est prévenue
    signals = listener.of_type(heartbeat_messages.MSG_HEARTBEAT_SIGNAL)
    for message in signals:  # exactement le message d'INTERFACES.md
        assert set(message) == {"type", "timeframe", "symbol", "open_time", "close_time", "sent_at"}
        tf_ms = TIMEFRAME_MINUTES[message["timeframe"]] * MINUTE
        assert message["open_time"] % tf_ms == 0
        assert message["close_time"] == message["open_time"] + tf_ms - 1
        assert message["sent_at"].endswith("Z")
    keys = [(m["symbol"], m["timeframe"], m["open_time"]) for m in signals]
    assert len(keys) == len(set(keys))  # un seul signal par bougie
    assert sorted(keys) == sorted(k[:3] for k in await signal_keys())
    opens = await stored_open_times()
    assert_contiguous(opens)
    assert opens[0] % (240 * MINUTE) == 0  # rattrapage initial depuis une frontière de 4 h
    status = await database_sync_to_async(HeartbeatStatus.objects.get)(pk=1)
    assert not status.is_connected  # arrêt propre


async def test_candles_match_the_exchange_klines_for_every_timeframe(sim) -> None:  # noqa: ANN001
    service = _service(sim)
    async with running(service):
        await wait_for(lambda: service.stats["candles_written"] > 0 and service.writer.idle, 10)
    exchange = make_ccxt_binance(sim.base_url)
    try:
        for tf in ("1m", "3m", "5m", "15m", "1h"):
            rows = await database_sync_to_async(list)(
                CandleHeartbeat.objects.filter(symbol="BTCUSDT", timeframe=tf).order_by("open_time")
            )
            if not rows:
                continue
            since = int(rows[0].open_time.timestamp() * 1000)
            ref = {r[0]: r for r in await exchange.fetch_ohlcv("BTC/USDT", tf, since, limit=1000)}
            for row in rows:
                expected = ref[int(row.open_time.timestamp() * 1000)]
                got = [row.open_price, row.high_price, row.low_price, row.close_price]
                assert [float(x) for x in got] == pytest.approx(expected[1:5], rel=1e-12), tf
                assert float(row.volume) == pytest.approx(expected[5], rel=1e-6, abs=1e-6), tf
    finally:
        await exchange.close()


async def test_forced_drop_then_reconnect_and_backfill_leave_no_gap(sim) -> None:  # noqa: ANN001
    service = _service(sim)
    async with Listener(heartbeat_messages.HEARTBEAT) as listener, running(service):
        await wait_for(lambda: len(_live_1m(listener)) >= 2, 15, "flux établi")
        backfilled_before = service.stats["backfilled"]
        async with aiohttp.ClientSession() as http:
            sim.set_down("503")  # coupure + refus : plusieurs tentatives avec backoff
            resp = await http.post(f"{sim.base_url}/sim/ws/close-all")
            assert resp.status == 200
            await wait_for(lambda: not service.is_connected, 5, "déconnexion vue")
            await asyncio.sleep(1.6)  # ~3 minutes simulées sans flux
            sim.set_down(None)
        await wait_for(lambda: service.stats["ws_connected"] >= 2, 10, "reconnexion")
        seen = len(_live_1m(listener))
        await wait_for(lambda: len(_live_1m(listener)) >= seen + 2, 15, "flux repris")
        await service.wait_idle(5)
        results = await service.coherence_run()
    assert service.stats["ws_attempts"] >= 3  # des essais refusés avant la reprise
    assert service.stats["backfilled"] >= backfilled_before + 2  # les minutes de la coupure
    assert_contiguous(await stored_open_times())
    assert all(not r.gaps and not r.overlaps for r in results), [r for r in results if r.gaps]
    keys = await signal_keys()
    assert len(keys) == len({k[:3] for k in keys})


async def test_server_shutdown_event_triggers_a_reconnect(sim) -> None:  # noqa: ANN001
    service = _service(sim)
    async with running(service):
        await wait_for(lambda: service.stats["ws_connected"] == 1 and service.stats["messages"], 10)
        async with aiohttp.ClientSession() as http:
            resp = await http.post(f"{sim.base_url}/sim/ws/server-shutdown", json={})
            assert resp.status == 200, await resp.text()
        await wait_for(lambda: service.stats["ws_connected"] >= 2, 5, "reconnexion anticipée")
        before = service.stats["messages"]
        await wait_for(lambda: service.stats["messages"] > before + 2, 5)
    assert_contiguous(await stored_open_times())


async def test_connection_is_renewed_before_its_maximum_age(sim) -> None:  # noqa: ANN001
    service = _service(sim, max_connection_age_s=0.6)
    async with running(service):
        await wait_for(lambda: service.stats["ws_connected"] >= 3, 10, "reconnexions préventives")
        await service.wait_idle(5)
    assert_contiguous(await stored_open_times())


async def test_raw_messages_are_relayed_unchanged_on_stream_brut(sim) -> None:  # noqa: ANN001
    service = _service(sim, with_trades=True)
    async with Listener("StreamBrut") as listener, running(service):
        await wait_for(lambda: len(listener.messages) >= 5, 10, "messages bruts")
    raw = listener.of_type(heartbeat_messages.MSG_STREAM_RAW)
    assert raw and all(set(m) == {"type", "received_at", "data"} for m in raw)
    streams = {m["data"].get("stream") for m in raw}
    assert {"btcusdt@kline_1m", "btcusdt@trade"} <= streams
    kline = next(m["data"] for m in raw if m["data"].get("stream") == "btcusdt@kline_1m")
    assert isinstance(Decimal(kline["data"]["k"]["o"]), Decimal)
    json.dumps(raw)  # sérialisable tel quel pour le navigateur
