"""Aides des tests du heartbeat : service configuré pour les tests, écouteur Redis, lectures DB."""

from __future__ import annotations

import asyncio
import copy
import time
import uuid
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from channels import DEFAULT_CHANNEL_LAYER
from channels.db import database_sync_to_async
from channels.layers import channel_layers

from apps.core.timeframes import dt_to_ms
from apps.heartbeat.config import HeartbeatConfig
from apps.heartbeat.models import CandleHeartbeat, HeartbeatSignal
from apps.heartbeat.service import HeartbeatService
from apps.heartbeat.tests.heartbeat_factories import MINUTE, T0, kline_payload, ohlcv_row

FAST = {
    "backoff_initial_s": 0.05,
    "backoff_max_s": 0.4,
    "backoff_jitter": 0.2,
    "open_timeout_s": 2.0,
    "idle_timeout_s": 3.0,
    "initial_backfill_minutes": 15,
    "backfill_retries": 2,
    "db_retry_max_s": 0.2,
    "status_interval_s": 0.1,
    "coherence_interval_s": None,
    "publish_deadline_s": 5.0,
    "publish_timeout_s": 1.0,
}


def hb_config(**overrides: Any) -> HeartbeatConfig:
    values: dict[str, Any] = {"ws_url": None, "rest_url": "http://127.0.0.1:9", "symbols": ("BTCUSDT",)}
    values.update(FAST)
    values.update(overrides)
    return HeartbeatConfig(**values)




@pytest.fixture
def isolated_channel_layer(settings):  # noqa: ANN001, ANN201
    """Préfixe Redis propre à chaque test : aucun message d'une autre session ou d'un autre test.

    (``settings.py`` est chargé avant ``conftest.py`` : le préfixe de session posé là-bas n'est pas
    appliqué, et toutes les sessions de tests partagent sinon les groupes ``heartbeat``…)
    """
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    layers["default"]["CONFIG"]["prefix"] = f"aristobot-hbtest-{uuid.uuid4().hex[:10]}"
    settings.CHANNEL_LAYERS = layers  # signal setting_changed : channels recrée la couche
    yield


class Listener:
    """Canal du channel layer abonné à des groupes ; collecte les messages reçus en tâche de fond."""

    def __init__(self, *groups: str) -> None:
        # Instance propre à l'écouteur : le verrou de réception de channels_redis est lié à une
        # boucle asyncio, et pytest-asyncio en crée une par test.
        self.layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
        self.groups = groups
        self.messages: list[dict[str, Any]] = []
        self.received_at: list[float] = []
        self._task: asyncio.Task[None] | None = None
        self.error: BaseException | None = None

    async def __aenter__(self) -> Listener:
        self.channel = await self.layer.new_channel()
        for group in self.groups:
            await self.layer.group_add(group, self.channel)
        self._task = asyncio.create_task(self._collect())
        return self

    async def _collect(self) -> None:
        try:
            while True:
                message = await self.layer.receive(self.channel)
                self.received_at.append(time.perf_counter())
                self.messages.append(message)
        except Exception as exc:
            self.error = exc
            raise

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        for group in self.groups:
            await self.layer.group_discard(group, self.channel)
        await self.layer.close_pools()
        assert self.error is None, f"écouteur arrêté sur erreur : {self.error!r}"

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("type") == kind]


async def wait_for(condition: Callable[[], Any], timeout: float = 10.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"délai dépassé en attendant : {what or condition}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def running(service: HeartbeatService):  # noqa: ANN201
    task = asyncio.create_task(service.serve(install_signal_handlers=False))
    try:
        await wait_for(lambda: service.ready.is_set() or task.done(), 10, "service prêt")
        yield service
    finally:
        service.stop()
        await asyncio.wait_for(task, 15)
    assert not service.failed


@database_sync_to_async
def stored_open_times(symbol: str = "BTCUSDT", timeframe: str = "1m") -> list[int]:
    rows = CandleHeartbeat.objects.filter(symbol=symbol, timeframe=timeframe).order_by("open_time")
    return [dt_to_ms(t) for t in rows.values_list("open_time", flat=True)]


@database_sync_to_async
def candle_count(**filters: Any) -> int:
    return CandleHeartbeat.objects.filter(**filters).count()


@database_sync_to_async
def signal_keys(**filters: Any) -> list[tuple[str, str, int, bool]]:
    rows = HeartbeatSignal.objects.filter(**filters).values_list(
        "symbol", "timeframe", "open_time", "backfilled"
    )
    return [(s, tf, dt_to_ms(t), b) for s, tf, t, b in rows]


def assert_contiguous(open_times: list[int], step: int = MINUTE) -> None:
    assert open_times, "aucune bougie"
    holes = [(a, b) for a, b in zip(open_times, open_times[1:], strict=False) if b - a != step]
    assert not holes, f"trous ou doublons : {holes[:5]}"


class FakeExchange:
    """Exchange CCXT factice (aucun réseau) : lignes OHLCV des fabriques, pannes à la demande."""

    def __init__(
        self, symbol: str = "BTCUSDT", clock: Callable[[], int] | None = None, listed_at: int = T0
    ) -> None:
        self.listed_at = listed_at  # aucune bougie avant (comme une paire nouvellement listée)
        self.markets_by_id = {symbol: [{"symbol": f"{symbol[:-4]}/{symbol[-4:]}"}]}
        self.symbol = symbol
        self.clock = clock
        self.fail = False
        self.missing: set[int] = set()
        self.calls: list[tuple[int, dict[str, Any]]] = []

    async def load_markets(self) -> dict[str, Any]:
        return {}

    async def fetch_time(self) -> int:
        if self.fail or self.clock is None:
            raise ConnectionError("exchange injoignable (test)")
        return self.clock()

    async def fetch_ohlcv(self, symbol: str, timeframe: str, since: int, params: dict[str, Any]):  # noqa: ANN201
        self.calls.append((since, params))
        if self.fail:
            raise ConnectionError("exchange injoignable (test)")
        until = params["until"]
        start = max(since - since % MINUTE, self.listed_at)
        return [
            ohlcv_row(kline_payload(self.symbol, t))
            for t in range(start, until, MINUTE)
            if t not in self.missing and t + MINUTE <= until
        ]

    async def close(self) -> None:
        return None
