"""Le service sans réseau : messages injectés, exchange factice, pannes PostgreSQL et Redis simulées."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db.utils import OperationalError

from apps.core import groups
from apps.core.models import Alert
from apps.core.timeframes import dt_to_ms, ms_to_dt
from apps.heartbeat import messages as heartbeat_messages
from apps.heartbeat import storage
from apps.heartbeat.models import CandleHeartbeat, HeartbeatStatus
from apps.heartbeat.service import HeartbeatService
from apps.heartbeat.tests.heartbeat_factories import MINUTE, T0, kline_messages, kline_payload
from apps.heartbeat.tests.heartbeat_helpers import (  # noqa: F401 — fixture
    FakeExchange,
    Listener,
    assert_contiguous,
    candle_count,
    hb_config,
    isolated_channel_layer,
    running,
    signal_keys,
    stored_open_times,
    wait_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("isolated_channel_layer")]

# Bougies attendues pour 30 minutes depuis T0 (frontière de 4 h) : 1m, 3m, 5m, 10m, 15m.
EXPECTED_30_MIN = 30 + 10 + 6 + 3 + 2


class DataClock:
    """Horloge pilotée par les données : « maintenant » = juste après la dernière bougie injectée."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def _service(clock: DataClock, exchange: FakeExchange | None = None, **overrides: Any):  # noqa: ANN202
    return HeartbeatService(
        hb_config(**overrides), clock_ms=clock, exchange=exchange or FakeExchange(clock=clock),
        **overrides.pop("_service_kwargs", {}),
    )


async def _feed(service: HeartbeatService, clock: DataClock, messages: list[str]) -> None:
    """Injecte les messages un par un, l'horloge suivant la clôture de chaque bougie."""
    for raw in messages:
        k = json.loads(raw)["data"]["k"]
        clock.now = max(clock.now, k["t"] + MINUTE + 500)
        service.handle_raw(raw)
        assert await service.wait_idle(10), "file d'écriture non vidée"


async def test_replayed_messages_create_no_duplicate_candles_and_no_second_signal() -> None:
    clock = DataClock(T0)
    messages = kline_messages("BTCUSDT", T0, 30, with_open=True)
    service = _service(clock)
    async with Listener(heartbeat_messages.HEARTBEAT) as listener, running(service):
        await _feed(service, clock, messages)
        await wait_for(lambda: len(listener.messages) == EXPECTED_30_MIN, 5, "tous les signaux")
        await _feed(service, clock, messages)  # rejeu dans le même processus
    assert await candle_count() == EXPECTED_30_MIN
    assert len(await signal_keys()) == EXPECTED_30_MIN  # chaque bougie du direct est signalée
    assert not any(backfilled for *_, backfilled in await signal_keys())
    status = await database_sync_to_async(HeartbeatStatus.objects.get)(pk=1)
    assert status.last_heartbeat is not None and status.last_message_at is not None

    again = _service(clock)  # nouveau processus : l'état est rechargé depuis la base
    async with Listener(heartbeat_messages.HEARTBEAT) as listener, running(again):
        await _feed(again, clock, messages)
        await again.wait_idle(5)
        await asyncio.sleep(0.2)
    assert listener.messages == []
    assert await candle_count() == EXPECTED_30_MIN


async def test_malformed_messages_are_logged_and_skipped_without_stopping() -> None:
    clock = DataClock(T0)
    service = _service(clock)
    garbage = [b"\x00\xff", "pas du json", "[1, 2]", '{"e": "kline", "k": {}}', '{"e": "inconnu"}',
               json.dumps({"stream": "x", "data": kline_payload("BTCUSDT", T0 + 1)})]
    async with Listener(heartbeat_messages.STREAM_BRUT) as listener, running(service):
        for raw in garbage:
            assert service.handle_raw(raw) is False
        await _feed(service, clock, kline_messages("BTCUSDT", T0, 3))
        await wait_for(lambda: len(listener.messages) >= 7, 5, "messages bruts relayés")
    assert service.stats["malformed"] == len(garbage)
    assert await candle_count(timeframe="1m") == 3 and await candle_count(timeframe="3m") == 1


async def test_postgresql_outage_keeps_candles_in_memory_and_flushes_when_back() -> None:
    clock = DataClock(T0)
    down = {"on": True}

    def flaky_store(**kwargs: Any) -> list[dict[str, Any]]:
        if down["on"]:
            raise OperationalError("connexion refusée (test)")
        return storage.candles_store(**kwargs)

    service = HeartbeatService(hb_config(), clock_ms=clock, exchange=FakeExchange(clock=clock),
                               store=flaky_store)
    async with running(service):
        for raw in kline_messages("BTCUSDT", T0, 30):
            clock.now = json.loads(raw)["data"]["k"]["t"] + MINUTE + 500
            service.handle_raw(raw)
        await wait_for(lambda: len(service.writer.pending) == EXPECTED_30_MIN, 5, "file pleine")
        await wait_for(lambda: "PostgreSQL" in service.status.last_error, 5)
        assert await candle_count() == 0
        down["on"] = False
        assert await service.wait_idle(5)
        assert service.status.last_error == ""
    assert await candle_count() == EXPECTED_30_MIN
    assert_contiguous(await stored_open_times())


class FlakyLayer:
    """Channel layer dont Redis « tombe » à la demande."""

    def __init__(self) -> None:
        self.real = get_channel_layer()
        self.down = False

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        if self.down:
            raise ConnectionError("Redis injoignable (test)")
        await self.real.group_send(group, message)


async def test_redis_outage_loses_no_candle_and_signals_resume_after() -> None:
    clock = DataClock(T0)
    layer = FlakyLayer()
    service = HeartbeatService(hb_config(publish_deadline_s=0.3), clock_ms=clock,
                               exchange=FakeExchange(clock=clock), channel_layer=layer)
    messages = kline_messages("BTCUSDT", T0, 30)
    async with Listener(heartbeat_messages.HEARTBEAT) as listener, running(service):
        layer.down = True
        for raw in messages[:15]:
            clock.now = json.loads(raw)["data"]["k"]["t"] + MINUTE + 500
            service.handle_raw(raw)
        await wait_for(lambda: service.publisher.dropped > 0, 5, "signaux abandonnés")
        assert await candle_count(timeframe="1m") == 15  # la base reste la vérité
        layer.down = False
        await _feed(service, clock, messages[15:])
        await wait_for(lambda: any(m["open_time"] == T0 + 29 * MINUTE for m in listener.messages), 5)
    assert await candle_count() == EXPECTED_30_MIN
    assert all(m["open_time"] >= T0 + 15 * MINUTE or m["timeframe"] != "1m"
               for m in listener.messages)


async def test_gap_in_the_live_stream_is_backfilled_before_aggregation() -> None:
    clock = DataClock(T0)
    exchange = FakeExchange(clock=clock)
    service = _service(clock, exchange)
    async with running(service):
        await _feed(service, clock, kline_messages("BTCUSDT", T0, 20, skip={10, 11, 12, 13, 14}))
    assert exchange.calls[-1][0] == T0 + 10 * MINUTE  # un appel REST pour le trou du flux
    assert_contiguous(await stored_open_times())
    five = await database_sync_to_async(list)(
        CandleHeartbeat.objects.filter(timeframe="5m").order_by("open_time"))
    assert len(five) == 4
    expected_volume = sum(float(kline_payload("BTCUSDT", T0 + i * MINUTE)["k"]["v"])
                          for i in range(10, 15))
    assert float(five[2].volume) == pytest.approx(expected_volume, rel=1e-9)
    assert service.stats["backfilled"] == 5


async def test_first_start_without_rest_builds_only_buckets_seen_from_their_start() -> None:
    clock = DataClock(T0)
    exchange = FakeExchange(clock=clock)
    exchange.fail = True
    service = _service(clock, exchange)
    async with running(service):
        await _feed(service, clock, kline_messages("BTCUSDT", T0 + 2 * MINUTE, 8))  # 00:02 → 00:09
    threes = await database_sync_to_async(list)(
        CandleHeartbeat.objects.filter(timeframe="3m").values_list("open_time", flat=True))
    assert [dt_to_ms(t) for t in threes] == [T0 + 3 * MINUTE, T0 + 6 * MINUTE]
    assert await candle_count(timeframe="5m") == 1  # 00:05, pas la 00:00 (début jamais vu)


async def test_restart_catches_up_from_the_last_stored_minute_and_rebuilds_higher_timeframes() -> None:
    clock = DataClock(T0)
    first = _service(clock)
    async with running(first):
        await _feed(first, clock, kline_messages("BTCUSDT", T0, 7))  # s'arrête à 00:06
    clock.now = T0 + 20 * MINUTE + 500
    second = _service(clock)
    async with running(second):
        second.request_catch_up()  # ce que fait chaque connexion au flux
        await wait_for(lambda: second.stats["backfilled"] == 13, 5, "rattrapage")
        await second.wait_idle(5)
    assert_contiguous(await stored_open_times())
    five = await database_sync_to_async(list)(
        CandleHeartbeat.objects.filter(timeframe="5m").order_by("open_time"))
    assert [dt_to_ms(c.open_time) for c in five] == [T0 + i * 5 * MINUTE for i in range(4)]
    payloads = [kline_payload("BTCUSDT", T0 + i * MINUTE)["k"] for i in range(5, 10)]
    assert float(five[1].high_price) == max(float(p["h"]) for p in payloads)  # base + REST
    # Seules les dernières bougies de chaque unité, closes il y a moins de 2 min, sont signalées.
    keys = {(tf, open_time) for _, tf, open_time, _ in await signal_keys(backfilled=True)}
    assert keys == {("1m", T0 + 19 * MINUTE), ("5m", T0 + 15 * MINUTE), ("10m", T0 + 10 * MINUTE)}


async def test_unmended_gap_opens_an_alert_resolved_once_the_gap_is_repaired(make_user) -> None:  # noqa: ANN001
    from apps.stats.selectors import status_snapshot

    user = await database_sync_to_async(make_user)()
    clock = DataClock(T0)
    exchange = FakeExchange(clock=clock)
    exchange.fail = True
    service = _service(clock, exchange)
    async with Listener(groups.STATUS) as listener, running(service):
        await _feed(service, clock, kline_messages("BTCUSDT", T0, 30, skip={10, 11, 12}))
        results = await service.coherence_run()
        gaps = {r.timeframe: r.gaps for r in results if r.gaps}
        assert list(gaps) == ["1m"] and gaps["1m"][0].missing(MINUTE) == 3
        alert = await database_sync_to_async(Alert.objects.get)(kind="candle_gap")
        assert (alert.symbol, alert.timeframe, alert.details["total_missing"]) == ("BTCUSDT", "1m", 3)
        snapshot = await database_sync_to_async(status_snapshot)(user=user)
        assert snapshot["coherent"] is False
        await service.coherence_run()  # toujours irréparable : une seule alerte
        assert await database_sync_to_async(Alert.objects.count)() == 1

        exchange.fail = False
        results = await service.coherence_run()
        assert not any(r.gaps for r in results)
        await wait_for(lambda: listener.of_type(groups.MSG_STATUS_CHANGED), 5, "status.changed")
    alert = await database_sync_to_async(Alert.objects.get)(pk=alert.pk)
    assert alert.resolved_at is not None
    # La bougie 5m close pendant le trou (2 minutes sur 5) a été reconstruite en entier.
    five = await database_sync_to_async(CandleHeartbeat.objects.get)(
        timeframe="5m", open_time=ms_to_dt(T0 + 10 * MINUTE))
    volumes = [float(kline_payload("BTCUSDT", T0 + i * MINUTE)["k"]["v"]) for i in range(10, 15)]
    assert float(five.volume) == pytest.approx(sum(volumes), rel=1e-9)
    assert (await database_sync_to_async(status_snapshot)(user=user))["coherent"] is True
    assert_contiguous(await stored_open_times())


@pytest.mark.slow
async def test_group_receive_survives_more_than_five_idle_seconds() -> None:
    """Piège redis-py 8 : sans socket_timeout=None, receive() lève TimeoutError après 5 s."""
    clock = DataClock(T0)
    service = _service(clock)
    async with Listener(heartbeat_messages.HEARTBEAT) as listener, running(service):
        await asyncio.sleep(5.5)
        assert listener._task is not None and not listener._task.done()
        await _feed(service, clock, kline_messages("BTCUSDT", T0, 1))
        await wait_for(lambda: listener.messages, 5, "signal après 5,5 s d'inactivité")
    assert listener.messages[0]["open_time"] == T0
