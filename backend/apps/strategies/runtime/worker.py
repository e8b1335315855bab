"""Processus « worker » qui exécute le code des stratégies (lancé par `pool.py`).

Démarrage : plafond mémoire (RLIMIT_AS), pas de core dump, imports chauds (pandas, numpy,
pandas_ta_classic), puis boucle de requêtes sur des tubes :
- parent → worker : trames `!Q` (longueur) + pickle (le parent est de confiance) ;
- worker → parent : trames `!Q` + JSON (le parent ne désérialise jamais de pickle venant du
  worker, qui exécute du code non fiable).

Le worker n'importe ni Django ni l'ORM et tourne avec un environnement nettoyé (voir
`pool.clean_env`). Il s'arrête quand son entrée standard est fermée (parent mort ou pool fermé).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import numbers
import os
import pickle
import resource
import signal
import struct
import sys
import time
from decimal import Decimal
from typing import Any, BinaryIO

from apps.strategies.runtime.compat import install_pandas_ta_alias
from apps.strategies.runtime.loader import (
    USER_FILENAME,
    StrategyLoadError,
    describe_exception,
    load_strategy_class,
    user_line,
)

HEADER = struct.Struct("!Q")
#: Taille maximale d'une réponse (octets) : au-delà, le parent considère le worker corrompu.
MAX_RESPONSE_BYTES = 1_000_000
#: Taille maximale des sorties `print()` renvoyées au parent.
MAX_LOG_CHARS = 4_000
SAMPLE_CANDLES = 300
SAMPLE_SEED = 42
BOOL_METHODS = ("should_long", "should_short")
FRACTION_METHODS = ("calculate_stop_loss", "calculate_take_profit")


def read_frame(stream: BinaryIO) -> bytes | None:
    """Lit une trame complète ; None si le flux est fermé."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def write_frame(stream: BinaryIO, payload: bytes) -> None:
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def sample_candles() -> dict[str, Any]:
    """300 bougies 1h synthétiques et déterministes (marche aléatoire) pour la validation."""
    import numpy as np

    rng = np.random.default_rng(SAMPLE_SEED)
    close = 30_000.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, SAMPLE_CANDLES)))
    open_ = np.concatenate(([close[0]], close[:-1]))
    spread = np.abs(rng.normal(0.0, 0.004, SAMPLE_CANDLES)) * close
    start = np.datetime64("2025-01-01T00:00", "ns").astype(np.int64)
    step = 3_600 * 10**9
    return {
        "timestamp": start + step * np.arange(SAMPLE_CANDLES, dtype=np.int64),
        "open": open_,
        "high": np.maximum(open_, close) + spread,
        "low": np.minimum(open_, close) - spread,
        "close": close,
        "volume": rng.uniform(1.0, 100.0, SAMPLE_CANDLES),
    }


def build_frame(arrays: dict[str, Any]) -> Any:
    """DataFrame `open, high, low, close, volume` (float64) indexé en UTC."""
    import pandas as pd

    index = pd.DatetimeIndex(pd.to_datetime(arrays["timestamp"], unit="ns", utc=True),
                             name="timestamp")
    columns = {name: arrays[name] for name in ("open", "high", "low", "close", "volume")}
    return pd.DataFrame(columns, index=index, dtype="float64")


def check_result(method: str, value: Any) -> tuple[Any, str | None]:
    """Vérifie le type d'une valeur renvoyée ; (valeur normalisée, message d'erreur ou None)."""
    import numpy as np

    kind = type(value).__name__
    if method in BOOL_METHODS:
        if isinstance(value, bool | np.bool_):
            return bool(value), None
        return None, f"{method}() doit renvoyer un booléen (True/False), reçu {kind}"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real | Decimal):
        return None, f"{method}() doit renvoyer un nombre, reçu {kind}"
    number = float(value)
    if not math.isfinite(number):
        return None, f"{method}() a renvoyé {number} : un nombre fini est attendu"
    if number < 0:
        return None, f"{method}() doit renvoyer un nombre positif ou nul, reçu {number:g}"
    if method == "calculate_stop_loss" and number >= 1:
        return None, (f"calculate_stop_loss() renvoie une fraction du prix d'entrée "
                      f"(0.02 = 2 %), reçu {number:g}")
    return number, None


class StrategyTimeout(BaseException):  # noqa: N818
    """Levée par SIGALRM dans le code utilisateur quand le délai de l'appel est écoulé.

    Hérite de BaseException pour ne pas être avalée par un `except Exception` de l'utilisateur.
    """


def _on_alarm(signum: int, frame: Any) -> None:
    raise StrategyTimeout


class Runner:
    """Exécute une requête « run » : chargement, instanciation, appels, vérification."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self.where = ""  # étape en cours, pour situer une exception (« dans should_long »)

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        out = io.StringIO()
        self.where = ""
        response: dict[str, Any] = {"ok": False, "results": {}, "class_name": None}
        timeout = float(request.get("timeout") or 0)
        try:
            if timeout > 0:
                signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                    self._run(request, response)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except StrategyTimeout as exc:
            line = user_line(exc)
            at = f" ligne {line}" if line is not None else ""
            response.update(
                error=(f"Délai dépassé{at} {self.where} : la stratégie n'a pas répondu en "
                       f"{timeout:g} s (boucle infinie ?) — processus remplacé").replace("  ", " "),
                line=line, kind="timeout", fatal=True)
        except StrategyLoadError as exc:
            response.update(error=exc.message, line=exc.line, kind=exc.kind)
        except BaseException as exc:  # noqa: BLE001 (tout ce que lève le code utilisateur)
            message, line = describe_exception(exc, self.where)
            kind = "runtime"
            if isinstance(exc, MemoryError):
                message = message.replace("la mémoire autorisée",
                                          f"la mémoire autorisée ({self.memory_mb} Mo)")
                kind = "memory"
                response["fatal"] = True  # le parent remplace le worker par précaution
            response.update(error=message, line=line, kind=kind)
        response["logs"] = out.getvalue()[-MAX_LOG_CHARS:]
        response["duration_ms"] = (time.perf_counter() - started) * 1000
        return response

    def _run(self, request: dict[str, Any], response: dict[str, Any]) -> None:
        cls = load_strategy_class(request["code"])
        response["class_name"] = cls.__name__
        arrays = request.get("candles")
        candles = build_frame(arrays if arrays is not None else sample_candles())
        self.where = "dans __init__"
        instance = cls(candles, request["balance"], request.get("position"))
        for method in request["calls"]:
            self.where = f"dans {method}"
            value, problem = check_result(method, getattr(instance, method)())
            if problem:
                code = getattr(getattr(cls, method), "__code__", None)
                line = code.co_firstlineno if code and code.co_filename == USER_FILENAME else None
                response.update(error=problem, line=line, kind="result")
                return
            response["results"][method] = value
        response["ok"] = True


def isolate_network() -> bool:
    """Place le worker dans de nouveaux espaces de noms utilisateur + réseau (sans privilège).

    Réussi, le worker n'a plus aucune interface réseau (pas même loopback active) : ni base de
    données, ni Redis, ni Internet, même si le code contourne la liste blanche d'imports.
    Échec (noyau ou conteneur qui l'interdit) : False, le worker continue sans cette protection.
    Doit être appelé tant que le processus n'a qu'un thread (avant les imports lourds).
    """
    import ctypes

    clone_newuser, clone_newnet = 0x10000000, 0x40000000
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        for flags in (clone_newuser | clone_newnet, clone_newnet):
            if libc.unshare(flags) == 0:
                return True
    except (OSError, AttributeError):
        pass
    return False


def limit_resources(memory_mb: int) -> None:
    """Plafond de mémoire virtuelle et pas de fichier core."""
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def serve(memory_mb: int, *, network: bool = False) -> None:
    """Boucle principale : une requête à la fois, jusqu'à la fermeture de stdin."""
    # Le tube de réponses est un descripteur à part ; fd 1 pointe désormais sur stderr, pour
    # qu'un print() hors capture ne corrompe pas le protocole.
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    requests = sys.stdin.buffer
    started = time.perf_counter()
    network_isolated = False if network else isolate_network()
    limit_resources(memory_mb)
    import numpy  # noqa: F401  (imports chauds : payés une fois, pas à chaque appel)
    import pandas  # noqa: F401
    import pandas_ta_classic  # noqa: F401

    install_pandas_ta_alias()
    signal.signal(signal.SIGALRM, _on_alarm)
    runner = Runner(memory_mb)
    ready = {"ready": True, "pid": os.getpid(), "network_isolated": network_isolated,
             "warmup_ms": (time.perf_counter() - started) * 1000}
    write_frame(replies, json.dumps(ready).encode())
    while True:
        payload = read_frame(requests)
        if payload is None:
            return
        request = pickle.loads(payload)  # noqa: S301 (vient du parent, de confiance)
        if request.get("op") == "ping":
            response: dict[str, Any] = {"ok": True, "pid": os.getpid()}
        else:
            response = runner.run(request)
        try:
            data = json.dumps(response, default=str).encode()
        except (TypeError, ValueError) as exc:
            data = json.dumps({"ok": False, "kind": "runtime", "error": f"Réponse illisible : {exc}"}
                              ).encode()
        write_frame(replies, data)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Worker d'exécution des stratégies Aristobot")
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--allow-network", action="store_true",
                        help="ne pas isoler le réseau (diagnostic uniquement)")
    args = parser.parse_args(argv)
    serve(args.memory_mb, network=args.allow_network)


if __name__ == "__main__":
    main()
