"""Aides des tests des backtests lancés par l'application (API, tâches, WebSocket)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from apps.backtest.models import BacktestResult
from apps.strategies.templates import EMA_CROSS_EXAMPLE

TERMINAL = ("done", "error", "cancelled")

#: Stratégie lente (≈ `delay` s par bougie) : pour observer et interrompre le calcul.
SLOW_TEMPLATE = '''import time

class Lente(Strategy):
    def __init__(self, candles, balance, position=None):
        self.candles = candles
        self.balance = balance
        self.position = position

    def should_long(self) -> bool:
        time.sleep({delay})
        return len(self.candles) % 50 == 0

    def should_short(self) -> bool:
        return len(self.candles) % 50 == 25

    def calculate_position_size(self) -> float:
        return self.balance * 0.5

    def calculate_stop_loss(self) -> float:
        return 0.02

    def calculate_take_profit(self) -> float:
        return 0.04
'''


def slow_code(delay: float = 0.01) -> str:
    return SLOW_TEMPLATE.format(delay=delay)


def make_strategy(user: Any, code: str = EMA_CROSS_EXAMPLE, name: str = "EMA 10/20") -> Any:
    from apps.strategies.models import Strategy

    return Strategy.objects.create(user=user, name=name, code=code, timeframe="5m")


def recent_period(*, days: float = 2, timeframe_minutes: int = 5) -> tuple[dt.datetime, dt.datetime]:
    """Période passée, alignée, qui finit il y a une heure (bougies toutes clôturées)."""
    step = dt.timedelta(minutes=timeframe_minutes)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    end = dt.datetime.fromtimestamp(now.timestamp() // step.total_seconds() * step.total_seconds(),
                                    tz=dt.UTC)
    return end - dt.timedelta(days=days), end


def payload(strategy: Any, broker: Any, **overrides: Any) -> dict[str, Any]:
    start, end = recent_period()
    return {"strategy": strategy.pk, "broker": broker.pk, "symbol": "BTC/USDT", "timeframe": "5m",
            "start_date": start.isoformat(), "end_date": end.isoformat(),
            "initial_amount": "10000", "fee_rate": "0.001", **overrides}


def wait_for(backtest_id: int, statuses: tuple[str, ...] = TERMINAL, timeout: float = 60,
             check: Any = None) -> BacktestResult:
    """Attend qu'un backtest atteigne un des statuts (et vérifie `check(row)` s'il est donné)."""
    deadline = time.monotonic() + timeout
    while True:
        row = BacktestResult.objects.get(pk=backtest_id)
        if row.status in statuses and (check is None or check(row)):
            return row
        if time.monotonic() > deadline:
            raise AssertionError(f"backtest {backtest_id} : statut {row.status} après {timeout} s "
                                 f"(attendu {statuses}) ; {row.error_message}")
        time.sleep(0.05)
