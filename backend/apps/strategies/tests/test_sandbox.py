"""Exécution dans le bac à sable : échantillons de la spec, pannes contenues, concurrence.

Les tentatives d'évasion (fichiers, programmes, réseau, signaux, état partagé) sont dans
`test_containment.py`, par les trois chemins (validation, backtest, moteur)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from apps.strategies.runtime.pool import StrategyPool
from apps.strategies.runtime.sandbox.client import clean_env
from apps.strategies.templates import EMA_CROSS_EXAMPLE, STRATEGY_TEMPLATE
from apps.strategies.tests.conftest import BACKDOOR, SLOW_LOOP, TEST_TIMEOUT, frame, method, wait_idle


def test_template_runs_in_the_sandbox(pool: StrategyPool) -> None:
    decision = pool.run_sync(STRATEGY_TEMPLATE, frame(), 1000.0)
    assert decision.ok, decision.error
    assert decision.class_name == "MaNouvelleStrategie"
    assert (decision.should_long, decision.should_short) == (False, False)
    assert (decision.position_size, decision.stop_loss, decision.take_profit) == (0.0, 0.0, 0.0)


async def test_ema_sample_returns_bool_and_ten_percent_of_balance(pool: StrategyPool) -> None:
    decision = await pool.run(EMA_CROSS_EXAMPLE, frame(), balance=2500.0)
    assert decision.ok, decision.error
    assert isinstance(decision.should_long, bool) and isinstance(decision.should_short, bool)
    assert decision.position_size == pytest.approx(250.0)
    assert (decision.stop_loss, decision.take_profit) == (0.02, 0.04)


def test_candles_contract_in_the_worker(pool: StrategyPool) -> None:
    code = method(
        "c = self.candles\n"
        "assert list(c.columns) == ['open', 'high', 'low', 'close', 'volume'], list(c.columns)\n"
        "assert all(str(t) == 'float64' for t in c.dtypes)\n"
        "assert str(c.index.tz) == 'UTC' and c.index.is_monotonic_increasing\n"
        "assert self.position == {'side': 'long'}\n"
        "return c.index[-1].isoformat() == '2025-01-01T01:00:00+00:00'"
    )
    ccxt_rows = [[1735689600000 + i * 900_000, 1, 2, 0.5, 1.5, 10] for i in range(5)]
    decision = pool.run_sync(code, ccxt_rows, 100.0, {"side": "long"}, calls=("should_long",))
    assert decision.ok, decision.error
    assert decision.should_long is True and decision.position_size is None


def test_warm_call_costs_milliseconds(pool: StrategyPool) -> None:
    candles = frame()
    durations = sorted(pool.run_sync(EMA_CROSS_EXAMPLE, candles, 1000.0).duration_ms
                       for _ in range(15))
    assert durations[7] < 100, durations  # ~4 ms mesurés ; large marge pour la CI


def test_exception_in_init_reports_user_line(pool: StrategyPool) -> None:
    code = ("class S(Strategy):\n    def __init__(self, candles, balance, position=None):\n"
            "        self.candles = candles\n        self.x = candles['inconnue']\n")
    decision = pool.run_sync(code, frame(), 1000.0)
    assert decision.error_kind == "runtime" and decision.error_line == 4
    assert decision.error == "Erreur dans __init__ ligne 4 : KeyError: 'inconnue'"


@pytest.mark.parametrize(("body", "message"), [
    ("return 1", "should_long() doit renvoyer un booléen (True/False), reçu int"),
    ("return float('nan')", "a renvoyé nan : un nombre fini est attendu"),
    ("return -5", "doit renvoyer un nombre positif ou nul, reçu -5"),
    ("return None", "doit renvoyer un nombre, reçu NoneType"),
])
def test_return_types_are_checked(pool: StrategyPool, body: str, message: str) -> None:
    name = "should_long" if "booléen" in message else "calculate_position_size"
    decision = pool.run_sync(method(body, name), frame(), 1000.0)
    assert decision.error_kind == "result" and message in decision.error
    assert decision.error_line == 2  # la ligne du `def`


def test_load_errors_come_back_with_their_line(pool: StrategyPool) -> None:
    decision = pool.run_sync("import pandas_ta as ta\nimport talib\n", frame(), 1000.0)
    assert (decision.error, decision.error_line) == ("Module introuvable ligne 2 : « talib »", 2)
    decision = pool.run_sync("import socket\n", frame(), 1000.0)
    assert decision.error.startswith("Module interdit ligne 1 : « socket »")


def test_infinite_loop_times_out_with_its_line(pool: StrategyPool) -> None:
    started = time.monotonic()
    decision = pool.run_sync(SLOW_LOOP, frame(), 1000.0, timeout=TEST_TIMEOUT)
    assert time.monotonic() - started < TEST_TIMEOUT + 0.5
    assert decision.error_kind == "timeout" and decision.error_line in (3, 4)  # la boucle
    assert decision.error.startswith(f"Délai dépassé ligne {decision.error_line} dans should_long")


def test_loop_that_swallows_the_alarm_is_killed_by_the_parent(pool: StrategyPool) -> None:
    code = method("while True:\n    try:\n        sum(range(100))\n    except BaseException:\n"
                  "        pass")
    started = time.monotonic()
    decision = pool.run_sync(code, frame(), 1000.0, timeout=TEST_TIMEOUT)
    assert time.monotonic() - started < TEST_TIMEOUT + 1.5
    assert decision.error_kind == "timeout" and "processus arrêté" in decision.error
    wait_idle(pool)  # aucun enfant ne reste
    assert pool.run_sync(STRATEGY_TEMPLATE, frame(), 1000.0).ok


@pytest.mark.parametrize("allocation", ["np.ones(5 * 1024**3 // 8)", "bytearray(5 * 1024**3)"])
def test_five_gigabyte_allocation_is_a_memory_error(pool: StrategyPool, allocation: str) -> None:
    code = "import numpy as np\n" + method(f"x = {allocation}\nreturn True")
    decision = pool.run_sync(code, frame(), 1000.0)
    assert decision.error_kind == "memory", decision.error
    assert decision.error.startswith("Mémoire insuffisante dans should_long ligne 4")
    assert "(1024 Mo)" in decision.error
    assert pool.run_sync(STRATEGY_TEMPLATE, frame(), 1000.0).ok  # le pool sert toujours


@pytest.mark.parametrize(("body", "expected"), [
    ("os._exit(3)", "(code de sortie 3)"),
    ("os.sys.modules['ctypes'].string_at(0)", "(tué par SIGSEGV)"),
])
def test_child_death_is_reported(pool: StrategyPool, body: str, expected: str) -> None:
    decision = pool.run_sync(BACKDOOR + method(body), frame(), 1000.0)
    assert decision.error_kind == "crash"
    assert decision.error == f"Le processus de la stratégie s'est arrêté brutalement {expected}"
    assert pool.run_sync(STRATEGY_TEMPLATE, frame(), 1000.0).ok


def test_each_evaluation_runs_in_a_fresh_process(pool: StrategyPool) -> None:
    code = BACKDOOR + method("print(os.getpid())\nreturn True")
    pids = {pool.run_sync(code, frame(), 1000.0, calls=("should_long",)).logs.strip()
            for _ in range(3)}
    assert len(pids) == 3 and pool.sandbox.zygote_pid not in {int(p) for p in pids}


def test_child_environment_holds_no_secret(pool: StrategyPool) -> None:
    assert "SECRET_KEY" in os.environ and "DJANGO_SETTINGS_MODULE" in os.environ
    code = BACKDOOR + method("print(sorted(os.environ))\n"
                             "print('django' in os.sys.modules, 'psycopg' in os.sys.modules)\n"
                             "return True")
    decision = pool.run_sync(code, frame(), 1000.0, calls=("should_long",))
    assert decision.ok, decision.error
    names = set(eval(decision.logs.splitlines()[0]))  # noqa: S307 (liste de noms)
    assert names <= {"PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ",
                     "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                     "PYTHONIOENCODING"}
    assert decision.logs.splitlines()[1] == "False False"  # ni Django ni psycopg chargés
    environ = Path(f"/proc/{pool.sandbox.zygote_pid}/environ").read_bytes()
    assert b"SECRET_KEY" not in environ and b"DJANGO_SETTINGS_MODULE" not in environ


def test_print_output_is_bounded(pool: StrategyPool) -> None:
    code = method("for i in range(100000):\n    print('x' * 100, i)\nreturn True")
    decision = pool.run_sync(code, frame(), 1000.0, calls=("should_long",))
    assert decision.ok, decision.error
    assert len(decision.logs) <= 4000 and decision.logs.rstrip().endswith("99999")


def test_clean_env_is_an_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "BINANCE_API_KEY", "PYTHONPATH", "SECRET_KEY"):
        monkeypatch.setenv(name, "secret")
    env = clean_env()
    assert not {"DATABASE_URL", "REDIS_URL", "BINANCE_API_KEY", "PYTHONPATH",
                "SECRET_KEY"} & set(env)
    assert env["OPENBLAS_NUM_THREADS"] == "1" and "PATH" in env


async def test_misbehaving_strategy_does_not_block_the_others(pool: StrategyPool) -> None:
    candles = frame()
    finished: list[float] = []
    started = time.monotonic()

    async def good() -> bool:
        decision = await pool.run(EMA_CROSS_EXAMPLE, candles, 1000.0, timeout=TEST_TIMEOUT)
        finished.append(time.monotonic() - started)
        return decision.ok

    ticks = 0

    async def ticker() -> None:  # la boucle asyncio n'est jamais bloquée
        nonlocal ticks
        while time.monotonic() - started < TEST_TIMEOUT * 0.8:
            await asyncio.sleep(0.01)
            ticks += 1

    bad, *goods, _ = await asyncio.gather(
        pool.run(SLOW_LOOP, candles, 1000.0, timeout=TEST_TIMEOUT),
        *(good() for _ in range(5)), ticker())
    assert bad.error_kind == "timeout"
    assert all(goods) and max(finished) < 0.5, finished
    assert ticks > 30


async def test_closed_pool_reports_unavailable() -> None:
    pool = StrategyPool(size=1, memory_mb=1024)
    await pool.aclose()
    decision = await pool.run(STRATEGY_TEMPLATE)
    assert decision.error_kind == "unavailable" and decision.error == "Le pool de stratégies est arrêté"
