"""Chemin rapide = chemin exact (ré-instanciation à chaque bougie), détection de l'anticipation."""

from __future__ import annotations

import random

import pytest

from apps.backtest.engine import LOOKAHEAD_MESSAGE, CheckPolicy, run_backtest
from apps.backtest.tests.factories import random_candles
from apps.strategies.templates import EMA_CROSS_EXAMPLE, SPEC_EMA_CROSS_EXAMPLE

CANDLES = 240


def trades_of(out) -> list[dict]:
    return [t.to_dict() for t in out.trades]


def both(code: str, candles, **kw):
    fast = run_backtest(code, candles, initial_amount=10_000, mode="fast", **kw)
    exact = run_backtest(code, candles, initial_amount=10_000, mode="exact", **kw)
    return fast, exact


INDICATORS = {
    "ema": 'ta.ema(self.candles["close"], length={n})',
    "sma": 'ta.sma(self.candles["close"], length={n})',
    "rolling": 'self.candles["close"].rolling({n}).mean()',
    "rsi": 'ta.rsi(self.candles["close"], length={n})',
}


def random_strategy(seed: int) -> str:
    """Stratégie aléatoire (indicateurs vectorisés dans __init__, seuils tirés au sort)."""
    rng = random.Random(seed)
    fast_kind, slow_kind = rng.choice(["ema", "sma", "rolling"]), rng.choice(["ema", "sma", "rolling"])
    n_fast, n_slow, n_rsi = rng.randint(3, 8), rng.randint(9, 25), rng.randint(5, 14)
    low, high = rng.uniform(38, 48), rng.uniform(52, 62)
    entry = rng.choice([
        "c['f'].iloc[-2] < c['s'].iloc[-2] and c['f'].iloc[-1] > c['s'].iloc[-1]",
        f"c['rsi'].iloc[-1] < {low:.2f}",
        f"c['close'].iloc[-1] > c['s'].iloc[-1] and c['rsi'].iloc[-1] < {high:.2f}",
    ])
    exit_ = rng.choice([
        "c['f'].iloc[-1] < c['s'].iloc[-1]",
        f"c['rsi'].iloc[-1] > {high:.2f}",
        "c['close'].iloc[-1] < c['f'].iloc[-1]",
    ])
    return f'''import pandas_ta as ta

class Random{seed}(Strategy):
    def __init__(self, candles, balance, position=None):
        self.candles = candles
        self.balance = balance
        self.position = position
        self.candles["f"] = {INDICATORS[fast_kind].format(n=n_fast)}
        self.candles["s"] = {INDICATORS[slow_kind].format(n=n_slow)}
        self.candles["rsi"] = {INDICATORS["rsi"].format(n=n_rsi)}

    def should_long(self):
        if len(self.candles) < {n_slow + n_rsi + 2}:
            return False
        c = self.candles
        return bool({entry})

    def should_short(self):
        c = self.candles
        return bool({exit_})

    def calculate_position_size(self):
        return self.balance * {rng.choice([0.1, 0.5, 1.0, 2.0])}

    def calculate_stop_loss(self):
        return {rng.choice([0.0, 0.005, 0.01, 0.03])}

    def calculate_take_profit(self):
        return {rng.choice([0.0, 0.01, 0.02, 0.05])}
'''


@pytest.mark.parametrize("seed", range(6))
def test_fast_path_trades_equal_exact_path_on_random_strategies(seed):
    candles = random_candles(CANDLES, seed=seed)
    fast, exact = both(random_strategy(seed), candles)
    assert not fast.lookahead_detected and fast.mode == "fast"
    assert fast.trades, "la stratégie tirée au sort devrait trader"
    assert trades_of(fast) == trades_of(exact)
    assert fast.stats == exact.stats


PANDAS_IN_METHODS = '''import pandas_ta as ta

class InMethods(Strategy):
    def should_long(self):
        if len(self.candles) < 20:
            return False
        rsi = ta.rsi(self.candles["close"], length=6).iloc[-1]
        mean = self.candles["close"].iloc[-5:].mean()
        last = self.candles.iloc[-1]["close"]
        return bool(rsi < 45 and last < mean and self.candles.close.iloc[-1] > 0)

    def should_short(self):
        hl = self.candles[["high", "low"]].iloc[-3:]
        return bool(self.candles["close"].iloc[-1] > hl["high"].iloc[:-1].max())

    def calculate_position_size(self):
        return self.balance * 0.5
'''


ATTRIBUTES_AND_WRITES = '''import numpy as np
import pandas_ta as ta

class Attributes(Strategy):
    def __init__(self, candles, balance, position=None):
        super().__init__(candles, balance, position)
        self.ema = ta.ema(candles["close"], length=8).reset_index(drop=True)
        self.closes = candles["close"].to_numpy()

    def should_long(self):
        self.candles["double"] = self.candles["close"] * 2
        if len(self.candles) < 10 or np.isnan(self.ema.iloc[-1]):
            return False
        return bool(self.closes[-1] > self.ema.iloc[-1] and self.candles["double"].iloc[-1] > 0)

    def should_short(self):
        entry = self.position["entry_price"]
        return bool(self.closes[-1] < self.ema.iloc[-2] or entry * 1.01 < self.closes[-1])

    def calculate_position_size(self):
        return self.balance * 0.3
'''


@pytest.mark.parametrize("code", [PANDAS_IN_METHODS, ATTRIBUTES_AND_WRITES], ids=["pandas", "attributes"])
def test_pandas_operations_attributes_and_writes_match_exact_path(code):
    candles = random_candles(CANDLES, seed=11)
    fast, exact = both(code, candles)
    assert not fast.lookahead_detected and fast.trades
    assert trades_of(fast) == trades_of(exact)
    assert list(candles.columns) == ["open", "high", "low", "close", "volume"]


def test_spec_ema_sample_runs_unchanged_and_matches_exact_path():
    candles = random_candles(400, seed=3, vol=0.004, freq="15min")
    fast, exact = both(SPEC_EMA_CROSS_EXAMPLE, candles, timeframe="15m")
    assert not fast.lookahead_detected and fast.errors_count == 0
    assert len(fast.trades) >= 3
    assert trades_of(fast) == trades_of(exact)
    assert "ema10" not in candles.columns  # les bougies de l'appelant ne sont pas modifiées


def test_parameterised_example_with_its_defaults_trades_exactly_like_the_spec_example():
    """`fast = 10`, `slow = 20` en attributs de classe : mêmes trades, même montant final."""
    candles = random_candles(400, seed=3, vol=0.004, freq="15min")
    spec = run_backtest(SPEC_EMA_CROSS_EXAMPLE, candles, initial_amount=10_000, timeframe="15m")
    params = run_backtest(EMA_CROSS_EXAMPLE, candles, initial_amount=10_000, timeframe="15m")
    assert params.errors_count == 0 and len(params.trades) >= 3
    assert trades_of(params) == trades_of(spec)
    assert params.stats["final_amount"] == spec.stats["final_amount"]


LOOKAHEAD = {
    "shift": 'self.candles["next"] = self.candles["close"].shift(-1)',
    "centred": 'self.candles["next"] = self.candles["close"].rolling(5, center=True).mean()',
    "normalised": ('self.candles["next"] = self.candles["close"] + 3 * '
                   '(self.candles["close"].max() - self.candles["close"])'),
}


def lookahead_strategy(line: str) -> str:
    return f'''class Cheater(Strategy):
    def __init__(self, candles, balance, position=None):
        super().__init__(candles, balance, position)
        {line}

    def should_long(self):
        return bool(self.candles["next"].iloc[-1] > self.candles["close"].iloc[-1])

    def should_short(self):
        return bool(self.candles["next"].iloc[-1] < self.candles["close"].iloc[-1])

    def calculate_position_size(self):
        return self.balance * 0.5
'''


@pytest.mark.parametrize("kind", sorted(LOOKAHEAD))
def test_lookahead_is_detected_and_falls_back_to_exact_path(kind):
    candles = random_candles(CANDLES, seed=5)
    fast, exact = both(lookahead_strategy(LOOKAHEAD[kind]), candles)
    assert fast.lookahead_detected is True and fast.mode == "exact"
    assert fast.message.startswith(LOOKAHEAD_MESSAGE)
    assert trades_of(fast) == trades_of(exact)


def test_state_kept_between_candles_is_detected():
    code = '''class Counter(Strategy):
    def __init__(self, candles, balance, position=None):
        super().__init__(candles, balance, position)
        self.calls = 0

    def should_long(self):
        self.calls += 1
        return self.calls % 7 == 0

    def should_short(self):
        return True

    def calculate_position_size(self):
        return 100.0
'''
    fast = run_backtest(code, random_candles(120, seed=1), initial_amount=1000,
                        check_policy=CheckPolicy(min_checks=50))
    assert fast.lookahead_detected and fast.mode == "exact"
