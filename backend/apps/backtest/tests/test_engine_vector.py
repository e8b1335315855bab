"""Passe de décision vectorisée : mêmes trades, statistiques et erreurs que l'appel à chaque bougie.

Chaque stratégie tourne deux fois en chemin rapide : décisions vectorisées (`vectorize=True`,
par défaut) et appel des méthodes à chaque bougie (`vectorize=False`, le chemin d'avant). Les
stratégies que la passe ne sait pas émuler doivent retomber sur la boucle classique
(`vectorized` faux) ; celles qu'elle émule doivent donner exactement les mêmes résultats,
y compris là où une émulation naïve se tromperait (NaN de la chauffe, `and`/`or` qui rendent
un opérande, branches, exceptions à certaines bougies).
"""

from __future__ import annotations

import numpy as np
import pytest

from apps.backtest.engine import run_backtest
from apps.backtest.engine import runner as runner_module
from apps.backtest.tests.factories import random_candles
from apps.backtest.tests.test_engine_equivalence import random_strategy
from apps.strategies.templates import EMA_CROSS_EXAMPLE, SPEC_EMA_CROSS_EXAMPLE

CANDLES = 600

HEADER = '''import math
import numpy as np
import pandas as pd
import pandas_ta as ta

class S(Strategy):
    def __init__(self, candles, balance, position=None):
        self.candles = candles
        self.balance = balance
        self.position = position
        self.candles["f"] = ta.ema(self.candles["close"], length=5)
        self.candles["s"] = ta.sma(self.candles["close"], length=12)
        self.flag = True
        self.entries = 0

    def calculate_position_size(self):
        return self.balance * 0.5

    def calculate_stop_loss(self):
        return 0.01

    def calculate_take_profit(self):
        return 0.02
'''


def strategy(long_body: str, short_body: str = "return self.candles['f'].iloc[-1] < "
             "self.candles['s'].iloc[-1]", extra: str = "") -> str:
    indent = "\n        "
    return (f"{HEADER}\n    def should_long(self):{indent}{indent.join(long_body.splitlines())}\n\n"
            f"    def should_short(self):{indent}{indent.join(short_body.splitlines())}\n{extra}")


def both(code: str, seed: int = 3, n: int = CANDLES):
    candles = random_candles(n, seed=seed)
    vector = run_backtest(code, candles, initial_amount=10_000)
    loop = run_backtest(code, candles, initial_amount=10_000, vectorize=False)
    assert not loop.vectorized
    assert [t.to_dict() for t in vector.trades] == [t.to_dict() for t in loop.trades]
    assert vector.stats == loop.stats
    assert (vector.errors_count, vector.errors) == (loop.errors_count, loop.errors)
    assert vector.lookahead_detected == loop.lookahead_detected
    return vector, loop


@pytest.mark.parametrize("code", [SPEC_EMA_CROSS_EXAMPLE, EMA_CROSS_EXAMPLE], ids=["spec", "params"])
def test_examples_are_vectorized_with_identical_trades(code):
    vector, _loop = both(code, n=3000)
    assert vector.vectorized and vector.trades


@pytest.mark.parametrize("seed", range(6))
def test_random_strategies_vectorized_identical(seed):
    vector, _loop = both(random_strategy(seed), seed=seed)
    assert vector.vectorized and vector.trades


EMULATED = {
    # NaN de la chauffe : pas de garde sur len(), comparaisons avec NaN (!= vrai, < faux)
    "nan_warmup": "c = self.candles\nreturn c['f'].iloc[-1] != c['f'].iloc[-1] or "
                  "(not c['s'].iloc[-1] >= c['f'].iloc[-1] and c['close'].iloc[-1] > 0)",
    # `and` / `or` rendent un opérande : un flottant rendu = erreur à cette bougie
    "operands": "c = self.candles\nx = (c['close'].iloc[-1] - c['close'].iloc[-2]) > "
                "c['close'].iloc[-2] * 0.015 and "
                "c['close'].iloc[-1] - c['f'].iloc[-1]\nreturn x or False",
    # branches, helper de la classe et fonction du module, len() dans les calculs, pd.isna
    "branches": "c = self.candles\nif len(c) < 15 or pd.isna(c['s'].iloc[-1]):\n    return False\n"
                "if self.up(c['close'].iloc[-1], c['s'].iloc[-1]):\n"
                "    return bool(c['close'].iloc[-1] > c['close'].iloc[-3] * (1 + len(c) / 1e7))\n"
                "return above(c['f'].iloc[-2], c['f'].iloc[-1]) and np.isfinite(c['f'].iloc[-1])",
    # exceptions à certaines bougies : indice hors limites (pas de garde), division par zéro
    "exceptions": "c = self.candles\nratio = 1 / (len(c) % 7)\n"
                  "return c['close'].iloc[-3] < c['close'].iloc[-1] and ratio > 0.2",
    # lecture d'attributs de l'instance et de la classe (constantes), max/min/abs
    "attributes": "c = self.candles\nif not self.flag:\n    return False\n"
                  "gap = abs(c['close'].iloc[-1] - max(c['f'].iloc[-1], c['s'].iloc[-1]))\n"
                  "return min(gap, 10.0) > c.close.iloc[-1] * self.THRESHOLD",
    # résultat non booléen (entier) : erreur à chaque bougie concernée
    "not_bool": "if len(self.candles) % 50 == 0:\n    return 1\nreturn False",
    # beaucoup de décalages (cache mémoire borné), générateur, sum() qui part de l'entier 0
    "many_lags": "c = self.candles['close']\nreturn sum(c.iloc[-k] for k in range(1, 40)) > 39 * c.iloc[-1]",
}
EXTRA = '''
    THRESHOLD = 0.001

    def up(self, a, b):
        return a > b


def above(a, b):
    return a > b


close = []  # globale modifiable, homonyme d'une colonne lue par attribut (`c.close`) : sans effet
'''


@pytest.mark.parametrize("name", sorted(EMULATED))
def test_emulated_strategies_identical(name):
    vector, loop = both(strategy(EMULATED[name], extra=EXTRA))
    assert vector.vectorized
    if name in ("exceptions", "not_bool", "operands"):
        assert loop.errors_count > 0  # les erreurs viennent du vrai code, aux mêmes bougies


FALLBACKS = {
    "balance": ("return self.balance > 5000 and self.candles['f'].iloc[-1] > "
                "self.candles['s'].iloc[-1]"),
    "write": "self.flag = not self.flag\nreturn self.flag and self.candles['close'].iloc[-1] > 0",
    "identity": "return (self.candles['f'].iloc[-1] > self.candles['s'].iloc[-1]) is not None",
    "print": "print(self.candles['f'].iloc[-1])\nreturn False",
    "pandas_call": "return bool(self.candles['close'].iloc[-5:].mean() < self.candles['close'].iloc[-1])",
    "swallowed": "try:\n    return bool(self.candles['f'].iloc[-1] > self.candles['s'].iloc[-1])\n"
                 "except BaseException:\n    return False",
    "import": "import math\nreturn math.isnan(self.candles['f'].iloc[-1])",
    # classe pandas lue par le code vectorisé (son constructeur pourrait lire une voie)
    "pandas_type": "return isinstance(self.candles, pd.DataFrame) and self.candles['close'].iloc[-1] > 0",
    # fonction étrangère : appelée une fois par exécution au lieu d'une fois par bougie
    "random": "return np.random.random() < 2 and self.candles['close'].iloc[-1] > 0",
}


@pytest.mark.parametrize("name", sorted(FALLBACKS))
def test_unsupported_strategies_fall_back_to_the_loop(name):
    vector, _loop = both(strategy(FALLBACKS[name]))
    assert not vector.vectorized


def test_position_read_falls_back():
    code = strategy("return self.candles['f'].iloc[-1] > self.candles['s'].iloc[-1]",
                    "return self.position['entry_price'] * 1.01 < self.candles['close'].iloc[-1]")
    vector, _loop = both(code)
    assert not vector.vectorized


def test_state_changed_by_calculate_methods_falls_back():
    """`calculate_stop_loss` change un attribut lu par `should_short` : la passe l'a lu avant."""
    code = strategy("return self.candles['f'].iloc[-1] > self.candles['s'].iloc[-1]",
                    "return self.entries > 2 and self.candles['close'].iloc[-1] > 0",
                    extra="\n    def calculate_stop_loss(self):\n        self.entries += 1\n"
                          "        return 0.01\n")
    vector, loop = both(code)
    assert not vector.vectorized and loop.trades


def test_lookahead_still_detected():
    code = SPEC_EMA_CROSS_EXAMPLE.replace('length=10)', 'length=10).shift(-1)')
    vector, _loop = both(code, n=2000)
    assert vector.lookahead_detected and vector.mode == "exact"


def test_wrong_vector_decisions_are_caught_by_the_cross_check(monkeypatch):
    """Décisions vectorisées volontairement fausses : l'échantillon recalculé par le vrai code
    les rejette, la boucle bougie par bougie refait tout."""
    real = runner_module.vector_signals

    def flipped(*args, **kwargs):
        signals = real(*args, **kwargs)
        signals.long = ~signals.long
        return signals

    monkeypatch.setattr(runner_module, "vector_signals", flipped)
    vector, _loop = both(SPEC_EMA_CROSS_EXAMPLE, n=3000)
    assert not vector.vectorized and vector.trades


def test_lanes_emulate_scalar_types():
    """`type()` / `isinstance` voient le type scalaire qu'aurait la bougie (numpy.float64…)."""
    body = ("v = self.candles['close'].iloc[-1]\n"
            "return type(v) == np.float64 and isinstance(v, float) and isinstance(len(self.candles), int)")
    vector, _loop = both(strategy(body))
    assert vector.vectorized and vector.trades


def test_unknown_candles_are_decided_by_the_real_code():
    """Sans garde : IndexError aux premières bougies (erreurs), comme la boucle classique."""
    code = strategy("return self.candles['f'].iloc[-2] < self.candles['s'].iloc[-2] and "
                    "self.candles['f'].iloc[-1] > self.candles['s'].iloc[-1]")
    vector, loop = both(code)
    assert vector.vectorized
    assert loop.errors_count == 1 and np.isfinite(vector.stats["final_amount"])


def test_replaced_frame_falls_back():
    """`calculate_stop_loss` remplace `self.candles` (figée à la bougie d'achat) : les décisions
    suivantes la lisent dans la boucle classique ; la passe vectorisée doit s'effacer."""
    code = strategy("return self.candles['f'].iloc[-1] > self.candles['s'].iloc[-1]",
                    extra="\n    def calculate_stop_loss(self):\n"
                          "        self.candles = self.candles.iloc[:]\n        return 0.01\n")
    vector, loop = both(code)
    assert not vector.vectorized and loop.trades
