"""Rappels de progression et d'annulation du moteur."""

from __future__ import annotations

import time

import pytest

from apps.backtest.engine import BacktestCancelled, run_backtest
from apps.backtest.tests.factories import flat_candles
from apps.strategies.runtime.base import Strategy


class Slow(Strategy):
    """~0,5 ms par décision : de quoi laisser tourner le moteur quelques secondes."""

    def should_long(self) -> bool:
        time.sleep(0.0005)
        return False


@pytest.mark.parametrize("mode", ["fast", "exact"])
def test_cancel_stops_within_one_second(mode):
    started = time.monotonic()
    flagged: list[float] = []

    def cancel() -> bool:
        if time.monotonic() - started > 0.3:
            flagged.append(time.monotonic())
            return True
        return False

    with pytest.raises(BacktestCancelled) as info:
        run_backtest(Slow, flat_candles(20_000), initial_amount=1000, mode=mode, cancel_cb=cancel)
    assert flagged and time.monotonic() - flagged[0] < 1.0
    assert 0 <= info.value.progress < 100


def test_cancel_callback_raising_cancels():
    def cancel() -> bool:
        raise RuntimeError("arrêt demandé")

    with pytest.raises(BacktestCancelled):
        run_backtest(Slow, flat_candles(5_000), initial_amount=1000, cancel_cb=cancel)


def test_progress_callback_cadence():
    calls: list[tuple[float, float]] = []
    run_backtest(Slow, flat_candles(2_500), initial_amount=1000,
                 progress_cb=lambda pct: calls.append((time.monotonic(), pct)))
    assert len(calls) >= 4
    gaps = [b[0] - a[0] for a, b in zip(calls, calls[1:], strict=False)]
    assert min(gaps) >= 0.19 and max(gaps) <= 1.0
    values = [pct for _, pct in calls]
    assert values == sorted(values) and values[0] >= 0 and values[-1] <= 100
