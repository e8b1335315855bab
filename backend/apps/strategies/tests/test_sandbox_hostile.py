"""Le parent ne fait jamais confiance à l'enfant du bac à sable : réponses hostiles refusées,
résultats revérifiés, sorties tenues hors des journaux, et les trouvailles de la revue d'attaque
(docs/strategies.md §2). Exécution ordinaire : `test_sandbox.py`."""

from __future__ import annotations

import os
import time

import pytest

from apps.strategies.runtime.pool import StrategyPool
from apps.strategies.templates import STRATEGY_TEMPLATE
from apps.strategies.tests.conftest import BACKDOOR, TEST_TIMEOUT, frame, method, wait_idle


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
