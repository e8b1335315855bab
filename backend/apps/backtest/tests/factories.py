"""Petites fabriques pour les tests du moteur : bougies faites main, stratégies scriptées."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from apps.strategies.runtime.base import Strategy


def make_candles(rows: Sequence[tuple[float, float, float, float]], start: str = "2025-01-01",
                 freq: str = "1min") -> pd.DataFrame:
    """Bougies `(open, high, low, close)` → DataFrame indexé en UTC (volume 1)."""
    index = pd.date_range(start, periods=len(rows), freq=freq, tz="UTC")
    data = np.array(rows, dtype=float)
    return pd.DataFrame({"open": data[:, 0], "high": data[:, 1], "low": data[:, 2],
                         "close": data[:, 3], "volume": 1.0}, index=index)


def flat_candles(n: int, price: float = 100.0) -> pd.DataFrame:
    """n bougies plates au prix `price` (aucun SL/TP ne se déclenche)."""
    return make_candles([(price, price, price, price)] * n)


def random_candles(n: int, seed: int = 0, vol: float = 0.01, freq: str = "1h") -> pd.DataFrame:
    """Marche aléatoire réaliste (ouvertures avec petits écarts, mèches)."""
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, vol, n)))
    open_ = np.concatenate(([close[0]], close[:-1])) * (1 + rng.normal(0.0, vol / 5, n))
    high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0.0, vol / 2, n)))
    low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0.0, vol / 2, n)))
    return make_candles(list(zip(open_, high, low, close, strict=True)), freq=freq)


def scripted(long_at: Iterable[int] = (), short_at: Iterable[int] = (), size: float = 1000.0,
             stop: float = 0.0, take: float = 0.0) -> type[Strategy]:
    """Stratégie qui achète aux bougies `long_at` et vend aux bougies `short_at` (indices)."""
    longs, shorts = frozenset(long_at), frozenset(short_at)

    class Scripted(Strategy):
        def should_long(self) -> bool:
            return len(self.candles) - 1 in longs

        def should_short(self) -> bool:
            return len(self.candles) - 1 in shorts

        def calculate_position_size(self) -> float:
            return size

        def calculate_stop_loss(self) -> float:
            return stop

        def calculate_take_profit(self) -> float:
            return take

    return Scripted
