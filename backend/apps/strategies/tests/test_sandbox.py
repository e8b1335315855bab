"""Exécution dans le bac à sable : échantillons de la spec, pannes contenues, concurrence.

Les tentatives d'évasion (fichiers, programmes, réseau, signaux, état partagé) sont dans
`test_containment.py`, par les trois chemins (validation, backtest, moteur)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from apps.strategies.runtime.pool import StrategyPool
from apps.strategies.runtime.sandbox.client import clean_env
from apps.strategies.templates import EMA_CROSS_EXAMPLE, STRATEGY_TEMPLATE
from apps.strategies.tests.conftest import TEST_TIMEOUT, wait_idle

# `pd.io.common.os` : une porte dérobée connue de la liste blanche d'imports, utilisée ici pour
# vérifier ce que le code utilisateur verrait en la contournant (le noyau le confine quand même).
BACKDOOR = "import pandas as pd\nos = pd.io.common.os\n"
SLOW_LOOP = "class Boucle(Strategy):\n    def should_long(self):\n        while True:\n" \
            "            pass\n"


def method(body: str, name: str = "should_long") -> str:
    lines = "".join(f"        {line}\n" for line in body.splitlines())
    return f"class S(Strategy):\n    def {name}(self):\n{lines}"


def frame(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    index = pd.date_range("2025-01-01", periods=n, freq="15min", tz="UTC")
    return pd.DataFrame({"open": close, "high": close * 1.01, "low": close * 0.99,
                         "close": close, "volume": 1.0}, index=index)


@pytest.fixture
def pool(strategy_pool: StrategyPool) -> StrategyPool:
    wait_idle(strategy_pool)
    return strategy_pool


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


# --- le parent ne fait jamais confiance à l'enfant ---------------------------------------------
@pytest.mark.parametrize(("body", "expected"), [
    # en-tête de trame annonçant une taille démesurée
    ("os.write(3, b'\\xff' * 8)\nos._exit(0)", "Réponse refusée : trame de"),
    # JSON illisible, entier géant, imbrication profonde, NaN
    ("d = b'{nope'\nos.write(3, len(d).to_bytes(8, 'big') + d)\nos._exit(0)", "réponse illisible"),
    ("d = b'{\"type\": \"result\", \"x\": ' + b'9' * 5000 + b'}'\n"
     "os.write(3, len(d).to_bytes(8, 'big') + d)\nos._exit(0)", "réponse illisible"),
    ("d = b'[' * 100000\nos.write(3, len(d).to_bytes(8, 'big') + d)\nos._exit(0)",
     "réponse illisible"),
    ("d = b'{\"type\": \"result\", \"ok\": NaN}'\nos.write(3, len(d).to_bytes(8, 'big') + d)\n"
     "os._exit(0)", "valeur non finie"),
    # trame de progression en rafale
    ("d = b'{\"type\": \"progress\"}'\nwhile True:\n    os.write(3, len(d).to_bytes(8, 'big') + d)",
     "trop de messages de progression"),
])
def test_hostile_replies_are_refused_and_the_child_killed(pool: StrategyPool, body: str,
                                                          expected: str) -> None:
    started = time.monotonic()
    decision = pool.run_sync(BACKDOOR + method(body), frame(), 1000.0, calls=("should_long",))
    assert decision.error_kind == "crash" and expected in decision.error, decision.error
    assert time.monotonic() - started < TEST_TIMEOUT + 1.5
    wait_idle(pool)


def test_forged_results_are_checked_again_by_the_parent(pool: StrategyPool) -> None:
    forged = ('d = b\'{"type": "result", "ok": true, "results": {"should_long": "oui"}}\'\n'
              "os.write(3, len(d).to_bytes(8, 'big') + d)\nos._exit(0)")
    decision = pool.run_sync(BACKDOOR + method(forged), frame(), 1000.0, calls=("should_long",))
    assert decision.error == "Réponse invalide pour should_long()"
    huge = ("import json\nd = json.dumps({'type': 'result', 'ok': False, 'error': 'x' * 500000,"
            " 'class_name': 'C' * 9999, 'line': -4}).encode()\n"
            "os.write(3, len(d).to_bytes(8, 'big') + d)\nos._exit(0)")
    decision = pool.run_sync(BACKDOOR + method(huge), frame(), 1000.0, calls=("should_long",))
    assert len(decision.error) <= 2000 and len(decision.class_name) <= 200
    assert decision.error_line is None


def test_hanging_after_a_partial_frame_times_out(pool: StrategyPool) -> None:
    """Trame commencée, minuteries bloquées, boucle : le parent tue l'enfant à l'échéance."""
    body = ("signal = os.sys.modules['signal']\n"
            "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGXCPU})\n"
            "os.write(3, (100).to_bytes(8, 'big') + b'{')\nwhile True:\n    pass")
    decision = pool.run_sync(BACKDOOR + method(body), frame(), 1000.0, timeout=TEST_TIMEOUT)
    assert decision.error_kind == "timeout" and "processus arrêté" in decision.error


def test_child_output_never_reaches_the_logs(pool: StrategyPool) -> None:
    """fd 1 et 2 de l'enfant sont /dev/null : rien n'atteint les journaux du serveur."""
    code = BACKDOOR + method("print(os.fstat(1).st_rdev, os.fstat(2).st_rdev)\n"
                             "os.write(1, b'x' * 10_000_000)\nos.write(2, b'y' * 10_000_000)\n"
                             "return True")
    decision = pool.run_sync(code, frame(), 1000.0, calls=("should_long",))
    assert decision.ok, decision.error
    devnull = os.stat(os.devnull).st_rdev
    assert decision.logs.split() == [str(devnull), str(devnull)]


def test_the_strategy_api_still_works_in_the_sandbox(pool: StrategyPool) -> None:
    """Ce que l'API des stratégies promet : pandas, numpy, pandas_ta, math, datetime, statistics…"""
    code = '''import math, statistics, datetime, json, re, zoneinfo, decimal, random
import numpy as np
import pandas as pd
import pandas_ta as ta

class Complete(Strategy):
    def should_long(self):
        c = self.candles
        rsi = ta.rsi(c["close"], length=14)
        macd = ta.macd(c["close"])
        bb = ta.bbands(c["close"], length=20)
        atr = ta.atr(c["high"], c["low"], c["close"], length=14)
        spectrum = np.abs(np.fft.rfft(c["close"].to_numpy()))
        paris = datetime.datetime(2025, 6, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
        print(c.tail(2))
        print(round(statistics.mean(c["close"].tail(5)), 2), math.sqrt(4), paris.utcoffset(),
              json.dumps({"é": 1}), re.sub("a", "b", "aa"), decimal.Decimal("1.1") + 1,
              "é".encode("latin-1"), random.random() < 1, len(spectrum) > 0,
              macd.shape[1], bb.shape[1], bool(atr.iloc[-1] > 0), pd.Timestamp("2025-01-01").year)
        return bool(rsi.iloc[-1] > 0)
'''
    decision = pool.run_sync(code, frame(), 1000.0, calls=("should_long",))
    assert decision.ok, decision.error
    assert decision.should_long is True
    assert "2:00:00" in decision.logs and "b'\\xe9'" in decision.logs and "2.1" in decision.logs


@pytest.mark.django_db
def test_sandbox_status_endpoint_reports_the_containment(logged_client, sandbox_pool) -> None:  # noqa: ANN001
    from apps.strategies.runtime.sandbox import landlock

    body = logged_client().get("/api/strategies/sandbox/").json()
    assert set(body) == {"level", "message", "platform", "seccomp", "landlock_abi",
                         "dedicated_uid", "verified", "problems"}
    if landlock.abi_version() > 0 and body["seccomp"]:
        assert body["level"] == "complet" and body["verified"] is True and not body["problems"]
        assert body["dedicated_uid"] is (os.geteuid() == 0)
    else:  # machine sans Landlock ou sans libseccomp : l'avertissement le dit
        assert body["level"] in ("partiel", "aucun") and "n'exécutez" in body["message"].lower()
    assert "read_paths" not in body  # l'arborescence de la machine n'est pas exposée


def test_other_platforms_run_uncontained_with_a_clear_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    from apps.strategies.runtime.sandbox import confine

    monkeypatch.setattr(confine.sys, "platform", "darwin")
    report = confine.prepare(uid=None, gid=None, deny=[]).report()
    assert report["level"] == "aucun" and report["seccomp"] is False
    assert "NON confiné" in report["message"] and "darwin" in report["message"]


def test_a_dead_template_process_is_restarted_on_the_next_call(pool: StrategyPool) -> None:
    import signal as signals

    old = pool.sandbox.zygote_pid
    assert old is not None
    os.kill(old, signals.SIGKILL)
    deadline = time.monotonic() + 5
    while pool.sandbox.alive and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not pool.sandbox.alive
    decision = pool.run_sync(STRATEGY_TEMPLATE, frame(), 1000.0)
    assert decision.ok, decision.error
    assert pool.sandbox.zygote_pid not in (None, old)


# --- trouvailles de la revue d'attaque (docs/strategies.md §2) -----------------------------------
def test_a_reply_made_of_tiny_values_is_refused_before_decoding(pool: StrategyPool) -> None:
    """`{},` × 300 000 : 900 Ko de JSON mais ~25 Mo d'objets Python — refusé sans décoder."""
    body = ("d = b'{\"type\":\"result\",\"x\":[' + b'{},' * 300000 + b'{}]}'\n"
            "os.write(3, len(d).to_bytes(8, 'big') + d)\nos._exit(0)")
    decision = pool.run_sync(BACKDOOR + method(body), frame(), 1000.0, calls=("should_long",))
    assert decision.error_kind == "crash" and "valeurs JSON dans" in decision.error, decision.error


@pytest.mark.parametrize("kind", ["[\"x\"]", "{}", "3"])
def test_an_unhashable_error_kind_is_a_clean_failure(pool: StrategyPool, kind: str) -> None:
    for frame_type in ("error", "result"):
        body = (f"d = b'{{\"type\": \"{frame_type}\", \"ok\": false, \"kind\": {kind}, "
                "\"message\": \"m\"}'\nos.write(3, len(d).to_bytes(8, 'big') + d)\nos._exit(0)")
        decision = pool.run_sync(BACKDOOR + method(body), frame(), 1000.0, calls=("should_long",))
        assert not decision.ok and decision.error_kind in ("crash", "runtime"), decision


def test_file_flags_do_not_leak_from_one_evaluation_to_the_next(pool: StrategyPool) -> None:
    fcntl_calls = ("fcntl = os.sys.modules['fcntl']\n"
                   "print(fcntl.fcntl(1, fcntl.F_GETFL) & os.O_APPEND)\n"
                   "fcntl.fcntl(1, fcntl.F_SETFL, os.O_APPEND | os.O_NONBLOCK)\nreturn True")
    first = pool.run_sync(BACKDOOR + method(fcntl_calls), frame(), 1000.0, calls=("should_long",))
    second = pool.run_sync(BACKDOOR + method(fcntl_calls), frame(), 1000.0, calls=("should_long",))
    assert first.ok and second.ok, (first.error, second.error)
    assert first.logs.strip() == second.logs.strip() == "0"


@pytest.mark.parametrize("call", [
    "os.getsid(1)", "os.getpgid(1)", "os.sched_getaffinity(1)",
    "os.sys.modules['resource'].prlimit(1, os.sys.modules['resource'].RLIMIT_AS)",
])
def test_other_processes_cannot_be_inventoried(pool: StrategyPool, call: str) -> None:
    decision = pool.run_sync(BACKDOOR + method(f"{call}\nreturn True"), frame(), 1000.0,
                             calls=("should_long",))
    assert decision.error_kind == "runtime" and "Opération interdite" in decision.error, decision


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="numéro d'appel système x86_64")
def test_only_private_futexes_are_allowed(pool: StrategyPool) -> None:
    body = ("ctypes = os.sys.modules['ctypes']\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "word = ctypes.c_int(0)\n"
            "shared = libc.syscall(202, ctypes.byref(word), 1, 1, 0, 0, 0)\n"  # FUTEX_WAKE
            "private = libc.syscall(202, ctypes.byref(word), 1 | 128, 1, 0, 0, 0)\n"
            "print(shared, private)\nreturn True")
    decision = pool.run_sync(BACKDOOR + method(body), frame(), 1000.0, calls=("should_long",))
    assert decision.ok, decision.error
    assert decision.logs.split() == ["-1", "0"]


def test_a_child_that_closes_its_reply_channel_is_stopped_with_a_clear_message(pool: StrategyPool) -> None:
    body = "os.close(3)\nwhile True:\n    pass"
    started = time.monotonic()
    decision = pool.run_sync(BACKDOOR + method(body), frame(), 1000.0, timeout=5)
    assert time.monotonic() - started < 3
    assert decision.error == ("La stratégie a fermé son canal de réponse sans répondre — processus "
                              "arrêté")
