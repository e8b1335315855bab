"""Gestionnaire « decision » exécuté dans un enfant du bac à sable : une stratégie, une fois.

`handle(request, channel, limits)` charge le code, instancie la stratégie sur les bougies reçues
(ou 300 bougies synthétiques pour la validation), appelle les méthodes demandées et vérifie les
types renvoyés. Il répond un dict simple (`ok`, `results`, `error`, `line`, `kind`, `logs`…) que
l'enfant envoie en JSON ; le parent le revérifie (`pool.StrategyDecision.from_reply`).
`warm()` tourne dans le processus modèle, sur le code d'exemple de la spec (code de confiance),
pour que les imports paresseux de pandas et pandas-ta soient faits une fois pour toutes.

N'importe ni Django ni l'ORM (CONVENTIONS §10).
"""

from __future__ import annotations

import contextlib
import io
import math
import numbers
import time
from decimal import Decimal
from typing import Any

from apps.strategies.runtime.base import DECISION_METHODS
from apps.strategies.runtime.compat import install_pandas_ta_alias
from apps.strategies.runtime.loader import (
    USER_FILENAME,
    StrategyLoadError,
    describe_exception,
    load_strategy_class,
    user_line,
)
from apps.strategies.runtime.sandbox.frames import CpuLimitExceeded, StrategyTimeout

#: Taille maximale d'une réponse (octets) : au-delà, le parent tue l'enfant.
MAX_RESPONSE_BYTES = 1_000_000
#: Taille maximale des sorties `print()` renvoyées au parent.
MAX_LOG_CHARS = 4_000
SAMPLE_CANDLES = 300
SAMPLE_SEED = 42
BOOL_METHODS = ("should_long", "should_short")
FRACTION_METHODS = ("calculate_stop_loss", "calculate_take_profit")


class BoundedOutput(io.TextIOBase):
    """Sortie `print()` de la stratégie : ne garde que les `limit` derniers caractères."""

    def __init__(self, limit: int = MAX_LOG_CHARS) -> None:
        self.limit = limit
        self._parts: list[str] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("print() attend du texte")
        if self.limit <= 0:
            return len(text)
        self._parts.append(text[-self.limit:])
        self._size += min(len(text), self.limit)
        if self._size > 2 * self.limit:
            self._parts = [self.getvalue()]
            self._size = len(self._parts[0])
        return len(text)

    def getvalue(self) -> str:
        return "".join(self._parts)[-self.limit:]


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


FRAME_COLUMNS = ("open", "high", "low", "close", "volume")


def _adjacent_block(columns: list[Any]) -> Any:
    """Les colonnes en un tableau (5, n) sans copie, si elles se suivent dans un même tampon
    (requête lue par `sandbox.child.read_request`) ; None sinon."""
    import numpy as np

    def owner_of(array: Any) -> Any:
        while isinstance(array, np.ndarray):
            array = array.base
        return array.obj if isinstance(array, memoryview) else array

    owner = owner_of(columns[0])
    if not isinstance(owner, bytearray) or any(owner_of(c) is not owner for c in columns[1:]):
        return None
    n = len(columns[0])
    origin = np.frombuffer(owner, dtype=np.uint8)
    start = columns[0].__array_interface__["data"][0] - origin.__array_interface__["data"][0]
    for k, column in enumerate(columns):
        address = column.__array_interface__["data"][0] - origin.__array_interface__["data"][0]
        if (column.dtype != np.float64 or column.ndim != 1 or len(column) != n
                or not column.flags.c_contiguous or address != start + k * n * 8):
            return None
    return np.frombuffer(owner, dtype=np.float64, count=len(columns) * n,
                         offset=start).reshape(len(columns), n)


def build_frame(arrays: dict[str, Any]) -> Any:
    """DataFrame `open, high, low, close, volume` (float64) indexé en UTC.

    Sans copie quand c'est possible (l'enfant est seul propriétaire des tableaux reçus ; un an
    de bougies 1m pèse 21 Mo) : un seul bloc si les colonnes se suivent en mémoire, sinon un
    bloc par colonne déjà en float64."""
    import numpy as np
    import pandas as pd

    index = pd.DatetimeIndex(pd.to_datetime(arrays["timestamp"], unit="ns", utc=True),
                             name="timestamp")
    columns = [np.asarray(arrays[name], dtype=np.float64) for name in FRAME_COLUMNS]
    block = _adjacent_block(columns)
    if block is not None:
        return pd.DataFrame(block.T, index=index, columns=list(FRAME_COLUMNS), copy=False)
    return pd.DataFrame(dict(zip(FRAME_COLUMNS, columns, strict=True)), index=index, copy=False)


def check_result(method: str, value: Any) -> tuple[Any, str | None]:
    """Vérifie une valeur renvoyée ; (valeur normalisée, message d'erreur ou None)."""
    import numpy as np

    kind = type(value).__name__
    if method in BOOL_METHODS:
        if isinstance(value, bool | np.bool_):
            return bool(value), None
        return None, f"{method}() doit renvoyer un booléen (True/False), reçu {kind}"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real | Decimal):
        return None, f"{method}() doit renvoyer un nombre, reçu {kind}"
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None, f"{method}() a renvoyé un nombre trop grand : un nombre fini est attendu"
    if not math.isfinite(number):
        return None, f"{method}() a renvoyé {number} : un nombre fini est attendu"
    if number < 0:
        return None, f"{method}() doit renvoyer un nombre positif ou nul, reçu {number:g}"
    if method == "calculate_stop_loss" and number >= 1:
        return None, (f"calculate_stop_loss() renvoie une fraction du prix d'entrée "
                      f"(0.02 = 2 %), reçu {number:g}")
    return number, None


class Runner:
    """Exécute une requête : chargement, instanciation, appels, vérification."""

    def __init__(self, memory_mb: int, wall_s: float, cpu_s: float) -> None:
        self.memory_mb = memory_mb
        self.wall_s = wall_s
        self.cpu_s = cpu_s
        self.where = ""  # étape en cours, pour situer une exception (« dans should_long »)

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        out = BoundedOutput()
        self.where = ""
        response: dict[str, Any] = {"ok": False, "results": {}, "class_name": None}
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                self._run(request, response)
        except (StrategyTimeout, CpuLimitExceeded) as exc:
            line = user_line(exc)
            at = f" ligne {line}" if line is not None else ""
            if isinstance(exc, StrategyTimeout):
                text = (f"Délai dépassé{at} {self.where} : la stratégie n'a pas répondu en "
                        f"{self.wall_s:g} s (boucle infinie ?) — processus arrêté")
            else:
                text = (f"Limite de temps CPU atteinte{at} {self.where} ({self.cpu_s:g} s de "
                        "calcul) — processus arrêté")
            response.update(error=text.replace("  ", " "), line=line, kind="timeout")
        except StrategyLoadError as exc:
            response.update(error=exc.message, line=exc.line, kind=exc.kind)
        except BaseException as exc:  # noqa: BLE001 (tout ce que lève le code utilisateur)
            message, line = describe_exception(exc, self.where)
            kind = "runtime"
            if isinstance(exc, MemoryError):
                message = message.replace("la mémoire autorisée",
                                          f"la mémoire autorisée ({self.memory_mb} Mo)")
                kind = "memory"
            response.update(error=message, line=line, kind=kind)
        response["logs"] = out.getvalue()
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


def handle(request: dict[str, Any], channel: Any, limits: Any) -> dict[str, Any]:
    """Gestionnaire de l'enfant (voir `sandbox.child`)."""
    return Runner(limits.memory_mb, limits.wall_s, limits.cpu_s).run(request)


def warm() -> None:
    """Dans le processus modèle : exemples de la spec sur les bougies synthétiques (code de
    confiance), pour faire une fois les imports paresseux de pandas / pandas-ta."""
    import gc

    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pandas_ta_classic  # noqa: F401

    from apps.strategies.runtime.loader import ALLOWED_MODULES
    from apps.strategies.templates import EMA_CROSS_EXAMPLE, STRATEGY_TEMPLATE

    install_pandas_ta_alias()
    for name in sorted(ALLOWED_MODULES):
        __import__(name)
    for code in (STRATEGY_TEMPLATE, EMA_CROSS_EXAMPLE):
        reply = Runner(0, 0, 0).run({"code": code, "candles": None, "balance": 1000.0,
                                     "position": None, "calls": DECISION_METHODS})
        if not reply.get("ok"):
            raise RuntimeError(f"Préchauffage du bac à sable en échec : {reply.get('error')}")
    print(build_frame(sample_candles()).tail(2), file=io.StringIO())  # affichage d'un DataFrame
    gc.collect()
