"""Aides des tests du moteur : stratégies de test, fabriques, moteur en tâche de fond, attentes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from apps.heartbeat import messages as heartbeat_messages
from apps.strategies.runtime.pool import StrategyPool
from apps.trading_engine.engine.config import EngineConfig
from apps.trading_engine.engine.service import TradingEngine
from apps.trading_engine.models import ActiveStrategy

LONG_WHEN_FLAT = '''
class AchatSiAPlat(Strategy):
    def should_long(self):
        return self.position is None
    def should_short(self):
        return False
    def calculate_position_size(self):
        return {size}
    def calculate_stop_loss(self):
        return {sl}
    def calculate_take_profit(self):
        return {tp}
'''
SELL_WHEN_IN = '''
class VenteSiPosition(Strategy):
    def should_short(self):
        return self.position is not None and self.position["quantity"] > 0
'''
CRASHES = '''
class Plante(Strategy):
    def should_long(self):
        return 1 / 0
'''
LOOPS = '''
class Boucle(Strategy):
    def should_long(self):
        while True:
            pass
'''


def long_code(size: float = 100, sl: float = 0.02, tp: float = 0.04) -> str:
    return LONG_WHEN_FLAT.format(size=size, sl=sl, tp=tp)


def signal(timeframe: str = "1m", open_time: int | None = None, symbol: str = "BTCUSDT") -> dict[str, Any]:
    """Un message `heartbeat.signal` comme le heartbeat l'émet (bougie juste clôturée)."""
    minutes = int(timeframe[:-1]) * (60 if timeframe.endswith("h") else 1)
    step = minutes * 60_000
    if open_time is None:
        now = int(time.time() * 1000)
        open_time = now - now % step - step
    return {"type": heartbeat_messages.MSG_HEARTBEAT_SIGNAL, "timeframe": timeframe, "symbol": symbol,
            "open_time": open_time, "close_time": open_time + step - 1,
            "sent_at": timezone.now().isoformat()}


def engine_config(**overrides: Any) -> EngineConfig:
    values: dict[str, Any] = {
        "pool_size": 4, "strategy_timeout_s": 1.5, "monitor_interval_s": 3600.0, "webhook_poll_s": 0.3,
        "redis_backoff_initial_s": 0.1, "redis_backoff_max_s": 0.5, "alive_interval_s": 3600.0,
        "shutdown_grace_s": 5.0,
        "balance_snapshot_interval_s": 0.0,  # relevés des soldes : testés à part (apps/stats/tests)
    }
    values.update(overrides)
    return EngineConfig(**values)


@pytest.fixture(scope="session")
def strategy_pool() -> Any:
    """Un pool chaud partagé par tous les tests du moteur (démarré une fois : ~1 s)."""
    pool = StrategyPool(size=4, memory_mb=1024)
    pool.start()
    yield pool
    pool.close()


@pytest.fixture
def make_active(make_broker: Callable[..., Any]) -> Callable[..., ActiveStrategy]:
    """Fabrique (synchrone) de stratégies actives : code, unité de temps, dates, broker."""
    from apps.strategies.services import strategy_create, strategy_update
    from apps.trading_engine.services import active_strategy_create

    counter = {"n": 0}

    def _make(code: str | None = None, *, timeframe: str = "1m", broker: Any = None, user: Any = None,
              symbol: str = "BTC/USDT", start: Any = None, end: Any = None, is_active: bool = True,
              ) -> ActiveStrategy:
        counter["n"] += 1
        broker = broker or make_broker(user=user)
        strategy = strategy_create(user=broker.user, name=f"Stratégie {counter['n']}",
                                   code=long_code(), timeframe=timeframe)
        now = timezone.now()
        active = active_strategy_create(
            user=broker.user, strategy=strategy, broker=broker, symbol=symbol,
            start_date=start or now - timedelta(hours=1), end_date=end or now + timedelta(days=1),
            is_active=is_active,
        )
        if code is not None:
            # Activée avec un code valide, puis modifiée (enregistrer un code invalide reste
            # permis) : c'est ainsi qu'une stratégie qui plante arrive jusqu'au moteur.
            strategy_update(strategy=strategy, code=code)  # même objet que active.strategy
        return active

    return _make


@asynccontextmanager
async def running_engine(pool: StrategyPool, **overrides: Any) -> AsyncIterator[TradingEngine]:
    layer = overrides.pop("channel_layer", None)
    engine = TradingEngine(engine_config(**overrides), channel_layer=layer, pool=pool)
    task = asyncio.create_task(engine.serve(install_signal_handlers=False))
    try:
        await wait_for(lambda: engine.ready.is_set() or task.done(), 30, "moteur prêt")
        assert not task.done(), task.exception() if task.done() else None
        yield engine
    finally:
        engine.stop()
        await asyncio.wait_for(task, 30)


async def send_signal(message: dict[str, Any]) -> None:
    await get_channel_layer().group_send(heartbeat_messages.HEARTBEAT, message)


async def wait_for(condition: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"délai dépassé en attendant : {what or condition}")
        await asyncio.sleep(0.05)


def db(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Raccourci : une lecture ORM synchrone appelée depuis un test asynchrone."""
    return sync_to_async(fn)
