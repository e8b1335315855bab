"""Plages précalculées de la simulation guidée (`range_extremes`) : mêmes min/max que la
recherche bougie par bougie de `first_stop`, pour chaque achat possible."""

from __future__ import annotations

import numpy as np
import pytest

from apps.backtest.engine.vector_loop import first_stop, range_extremes


def _brute(long_at: list[int], short_at: list[int], lo: np.ndarray, hi: np.ndarray, n: int) -> dict:
    expected, previous_kd = {}, None
    for j in long_at:
        kd = next((k for k in short_at if k >= j + 1), n)
        if kd == previous_kd or j + 1 >= min(kd + 1, n):
            previous_kd = kd
            continue  # pas la première candidate de sa plage (ou plage vide) : pas précalculée
        previous_kd = kd
        end = min(kd + 1, n)
        expected[j] = (float(lo[j + 1:end].min()), float(hi[j + 1:end].max()))
    return expected


@pytest.mark.parametrize("seed", range(12))
def test_range_extremes_match_a_brute_force_scan(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    lo, hi = rng.uniform(1, 2, n), rng.uniform(2, 3, n)
    long_at = sorted(set(rng.integers(0, n, int(rng.integers(0, 60))).tolist()))
    short_at = sorted(set(rng.integers(0, n, int(rng.integers(0, 60))).tolist()))
    got = range_extremes(np.array(long_at, dtype=np.int64), np.array(short_at, dtype=np.int64),
                         lo, hi, n)
    assert got == _brute(long_at, short_at, lo, hi, n)


@pytest.mark.parametrize("seed", range(6))
def test_no_stop_in_a_clear_range_agrees_with_first_stop(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = 300
    lo, hi = rng.uniform(95, 100, n), rng.uniform(100, 105, n)
    prices = (lo, hi, lo.tolist(), hi.tolist())
    long_at, short_at = list(range(0, n, 17)), list(range(9, n, 17))
    extremes = range_extremes(np.array(long_at), np.array(short_at), lo, hi, n)
    for j, (low, high) in extremes.items():
        kd = next((k for k in short_at if k >= j + 1), n)
        for sl, tp in ((96.0, 104.0), (94.0, 106.0), (99.0, 101.0), (-np.inf, np.inf)):
            clear = low > sl and high < tp
            assert clear == (first_stop(prices, j + 1, min(kd + 1, n), sl, tp) == min(kd + 1, n))


def test_degenerate_inputs() -> None:
    lo = hi = np.ones(5)
    assert range_extremes(np.array([], dtype=np.int64), np.array([1]), lo, hi, 5) == {}
    assert range_extremes(np.array([4]), np.array([], dtype=np.int64), lo, hi, 5) == {}  # fin
    assert range_extremes(np.array([0]), np.array([], dtype=np.int64), lo, hi, 5) == {0: (1.0, 1.0)}
    assert range_extremes(np.array([0]), np.array([0]), lo, hi, 1) == {}
