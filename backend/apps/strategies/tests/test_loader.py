"""Chargement du code (dans le processus de test, sans worker) : messages et lignes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from apps.strategies.runtime.base import Strategy
from apps.strategies.runtime.loader import StrategyLoadError, load_strategy_class
from apps.strategies.templates import EMA_CROSS_EXAMPLE, SPEC_EMA_CROSS_EXAMPLE, STRATEGY_TEMPLATE

GOOD_METHOD = "    def should_long(self):\n        return True\n"


def load_error(code: str) -> StrategyLoadError:
    with pytest.raises(StrategyLoadError) as info:
        load_strategy_class(code)
    return info.value


def candles(n: int = 100) -> pd.DataFrame:
    close = np.linspace(100.0, 120.0, n)
    index = pd.date_range("2025-01-01", periods=n, freq="h", tz="UTC")
    return pd.DataFrame({"open": close, "high": close, "low": close, "close": close,
                         "volume": 1.0}, index=index)


@pytest.mark.parametrize("code", [STRATEGY_TEMPLATE, EMA_CROSS_EXAMPLE, SPEC_EMA_CROSS_EXAMPLE])
def test_spec_samples_load_unchanged(code: str) -> None:
    cls = load_strategy_class(code)
    assert cls.__name__ == "MaNouvelleStrategie"
    assert issubclass(cls, Strategy) and cls is not Strategy


def test_pandas_ta_import_resolves_to_pandas_ta_classic() -> None:
    import pandas_ta_classic

    cls = load_strategy_class(SPEC_EMA_CROSS_EXAMPLE)
    instance = cls(candles(), 1000.0)
    expected = pandas_ta_classic.ema(candles()["close"], length=10)
    pd.testing.assert_series_equal(instance.candles["ema10"], expected, check_names=False)
    assert instance.calculate_position_size() == pytest.approx(100.0)


def test_base_class_defaults_do_nothing() -> None:
    cls = load_strategy_class("class Minimal(Strategy):\n    pass\n")
    instance = cls(candles(), 500.0, position={"side": "long"})
    assert (instance.balance, instance.position) == (500.0, {"side": "long"})
    assert instance.should_long() is False and instance.should_short() is False
    assert instance.calculate_position_size() == 0.0


def test_syntax_error_reports_its_line() -> None:
    code = STRATEGY_TEMPLATE.replace("return False", "return False +", 1)
    error = load_error(code)
    line = code.splitlines().index("        return False +") + 1
    assert error.line == line and error.kind == "syntax"
    assert error.message.startswith(f"Erreur de syntaxe ligne {line} : ")


def test_indentation_error_is_named() -> None:
    error = load_error("class A(Strategy):\ndef should_long(self):\n    return True\n")
    assert error.message.startswith("Erreur d'indentation ligne 2")


def test_no_strategy_subclass() -> None:
    error = load_error("class A:\n" + GOOD_METHOD)
    assert error.message.startswith("Aucune classe héritant de Strategy trouvée")
    assert error.line is None


def test_two_strategy_subclasses_are_refused() -> None:
    error = load_error("class A(Strategy):\n" + GOOD_METHOD + "\nclass B(Strategy):\n" + GOOD_METHOD)
    assert error.message == "Plusieurs classes héritent de Strategy : A, B — gardez-en une seule"
    assert error.line == 5


def test_intermediate_base_class_is_tolerated() -> None:
    cls = load_strategy_class("class Base(Strategy):\n    pass\n\nclass Mine(Base):\n" + GOOD_METHOD)
    assert cls.__name__ == "Mine"


def test_unknown_module_reports_name_and_line() -> None:
    error = load_error("import math\n\nimport talib\n")
    assert error.message == "Module introuvable ligne 3 : « talib »"
    assert error.line == 3


@pytest.mark.parametrize("module", ["socket", "os", "subprocess", "django", "psycopg",
                                    "importlib", "sys", "ctypes", "urllib.request"])
def test_dangerous_modules_are_blocked(module: str) -> None:
    error = load_error(f"x = 1\nimport {module}\n")
    assert error.message.startswith(f"Module interdit ligne 2 : « {module.split('.')[0]} »")
    assert error.line == 2


def test_from_import_and_dunder_import_are_blocked_too() -> None:
    assert "« socket »" in load_error("from socket import socket\n").message
    assert "« socket »" in load_error("s = __import__('socket')\n").message


def test_open_exec_eval_are_removed() -> None:
    for code in ("open('/etc/passwd')", "exec('x = 1')", "eval('1')"):
        error = load_error(code)
        assert error.message.startswith("Erreur au chargement ligne 1 : NameError"), error.message


def test_exception_at_module_level_reports_user_line() -> None:
    error = load_error("x = 1\ny = [1, 2]\nz = y[5]\n")
    assert error.message == "Erreur au chargement ligne 3 : IndexError: list index out of range"
    assert error.line == 3


def test_system_exit_in_user_code_is_contained() -> None:
    error = load_error("raise SystemExit(1)\n")
    assert error.message.startswith("Erreur au chargement ligne 1 : SystemExit")


def test_empty_code() -> None:
    assert load_error("   \n").message == "Le code de la stratégie est vide"


def test_each_load_uses_a_fresh_namespace() -> None:
    code = "counter = []\nclass A(Strategy):\n    def should_long(self):\n" \
           "        counter.append(1)\n        return len(counter) > 1\n"
    first, second = load_strategy_class(code), load_strategy_class(code)
    assert first is not second
    assert first(None, 0).should_long() is False
    assert second(None, 0).should_long() is False
