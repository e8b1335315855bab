"""Exécution des stratégies dans le bac à sable, avec une API asyncio et une API synchrone.

    pool = StrategyPool(size=4, memory_mb=1024)
    await pool.astart()                       # facultatif : sinon au premier appel
    decision = await pool.run(code, candles, balance=1000.0, timeout=5.0)
    await pool.aclose()

Chaque appel est une évaluation dans un enfant NEUF du processus modèle (`sandbox`), confiné
avant de lire le code, qui sort après avoir répondu : aucun état ne passe d'un appel (ni d'un
utilisateur) à l'autre. Au plus `size` enfants à la fois ; l'attente se fait dans un thread
(`loop.run_in_executor`) : la boucle asyncio n'est jamais bloquée et une stratégie lente ne
retarde les autres que si `size` évaluations sont déjà en cours.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from apps.strategies.runtime.base import DECISION_METHODS
from apps.strategies.runtime.candles import CandlesError, candles_to_arrays
from apps.strategies.runtime.decide import MAX_LOG_CHARS, MAX_RESPONSE_BYTES
from apps.strategies.runtime.sandbox.client import Sandbox
from apps.strategies.runtime.sandbox.confine import Limits
from apps.strategies.runtime.sandbox.frames import finite, small_int, text
from apps.strategies.runtime.sandbox.wire import SandboxError

logger = logging.getLogger(__name__)

DEFAULT_MEMORY_MB = 1024
DEFAULT_TIMEOUT = 5.0
DECISION_HANDLER = "apps.strategies.runtime.decide:handle"
ERROR_KINDS = frozenset({"syntax", "load", "runtime", "result", "memory", "timeout", "crash",
                         "unavailable", "input"})
MAX_ERROR_CHARS = 2_000


@dataclass
class StrategyDecision:
    """Résultat d'un appel : décisions (None si non demandées) ou erreur en français.

    `error_kind` : "syntax", "load", "runtime", "result", "memory", "timeout", "crash",
    "unavailable", "input" ; `error_line` : ligne dans le code de l'utilisateur.
    """

    should_long: bool | None = None
    should_short: bool | None = None
    position_size: float | None = None
    stop_loss: float | None = None
    take_profit: float | None = None
    error: str | None = None
    error_line: int | None = None
    error_kind: str | None = None
    class_name: str | None = None
    duration_ms: float = 0.0
    logs: str = ""
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}

    @classmethod
    def from_reply(cls, reply: dict[str, Any], duration_ms: float,
                   calls: Iterable[str] = DECISION_METHODS) -> StrategyDecision:
        """Réponse d'un enfant (donnée NON fiable) : types revérifiés, textes plafonnés."""
        raw = reply.get("results")
        raw = raw if isinstance(raw, dict) else {}
        results: dict[str, Any] = {}
        for method in calls:
            if method not in raw:
                continue
            value = raw[method]
            if method in ("should_long", "should_short"):
                if not isinstance(value, bool):
                    return cls.failure("crash", f"Réponse invalide pour {method}()", duration_ms)
            else:
                value = finite(value)
                if value is None or value < 0 or (method == "calculate_stop_loss" and value >= 1):
                    return cls.failure("crash", f"Réponse invalide pour {method}()", duration_ms)
            results[method] = value
        ok = reply.get("ok") is True and all(method in results for method in calls)
        kind = reply.get("kind")
        kind = kind if isinstance(kind, str) and kind in ERROR_KINDS else "runtime"
        error = None if ok else (text(reply.get("error"), MAX_ERROR_CHARS) or "Erreur inconnue")
        return cls(
            should_long=results.get("should_long"),
            should_short=results.get("should_short"),
            position_size=results.get("calculate_position_size"),
            stop_loss=results.get("calculate_stop_loss"),
            take_profit=results.get("calculate_take_profit"),
            error=error,
            error_line=None if ok else small_int(reply.get("line"), 1),
            error_kind=None if ok else kind,
            class_name=text(reply.get("class_name"), 200),
            duration_ms=duration_ms,
            logs=text(reply.get("logs"), MAX_LOG_CHARS) or "",
            results=results if ok else {},
        )

    @classmethod
    def failure(cls, kind: str, message: str, duration_ms: float = 0.0) -> StrategyDecision:
        return cls(error=message, error_kind=kind, duration_ms=duration_ms)


class StrategyPool:
    """Évaluations en bac à sable ; `run()` (asyncio) et `run_sync()` (threads) sont sûrs en
    concurrence. `size` : nombre maximal d'évaluations simultanées (enfants vivants)."""

    def __init__(self, size: int = 2, *, memory_mb: int = DEFAULT_MEMORY_MB,
                 default_timeout: float = DEFAULT_TIMEOUT, start_timeout: float = 90.0,
                 name: str = "stratégies") -> None:
        if size < 1:
            raise ValueError("Le pool de stratégies doit avoir au moins une place")
        self.size = size
        self.memory_mb = memory_mb
        self.default_timeout = default_timeout
        self.sandbox = Sandbox({"decision": DECISION_HANDLER}, name=name, max_children=size,
                               start_timeout=start_timeout)
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="strategy-pool")
        self._closed = False

    # -- cycle de vie -------------------------------------------------------------------------
    def start(self) -> None:
        """Démarre le processus modèle (~1 s d'imports, une fois) ; erreurs journalisées."""
        if self._closed:
            return
        try:
            self.sandbox.start()
        except SandboxError as exc:
            logger.error("%s", exc.message)

    async def astart(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self.start)

    def close(self) -> None:
        """Arrête le processus modèle et les évaluations en cours (idempotent)."""
        self._closed = True
        self.sandbox.close()
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def aclose(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.close)

    def __enter__(self) -> StrategyPool:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> StrategyPool:
        await self.astart()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @property
    def containment(self) -> dict[str, Any]:
        """Rapport de confinement du processus modèle ({} s'il n'a pas démarré)."""
        return self.sandbox.report

    @property
    def pids(self) -> list[int]:
        """PID des enfants en cours d'évaluation (diagnostic, tests)."""
        return self.sandbox.live_pids()

    # -- appels -------------------------------------------------------------------------------
    async def run(self, code: str, candles: Any = None, balance: float = 1000.0,
                  position: dict[str, Any] | None = None, *,
                  calls: Iterable[str] = DECISION_METHODS,
                  timeout: float | None = None) -> StrategyDecision:
        """Charge `code`, instancie la stratégie sur `candles` et appelle `calls` (asyncio).

        `candles=None` : 300 bougies synthétiques (validation). Ne lève pas pour une erreur du
        code utilisateur : elle est dans `decision.error` (message français).
        """
        if self._closed:
            return StrategyDecision.failure("unavailable", "Le pool de stratégies est arrêté")
        job = functools.partial(self.run_sync, code, candles, balance, position,
                                calls=tuple(calls), timeout=timeout)
        return await asyncio.get_running_loop().run_in_executor(self._executor, job)

    def run_sync(self, code: str, candles: Any = None, balance: float = 1000.0,
                 position: dict[str, Any] | None = None, *,
                 calls: Iterable[str] = DECISION_METHODS,
                 timeout: float | None = None) -> StrategyDecision:
        """Version bloquante de `run()` (vues Django synchrones, threads)."""
        calls = tuple(calls)
        unknown = [name for name in calls if name not in DECISION_METHODS]
        if unknown:
            raise ValueError(f"Méthodes inconnues : {', '.join(unknown)}")
        if self._closed:
            return StrategyDecision.failure("unavailable", "Le pool de stratégies est arrêté")
        try:
            arrays = candles_to_arrays(candles)
        except (CandlesError, TypeError, ValueError) as exc:
            return StrategyDecision.failure("input", f"Bougies invalides : {exc}")
        timeout = self.default_timeout if timeout is None else timeout
        # Le temps CPU (noyau) double la minuterie murale (plus précise : elle donne la ligne).
        limits = Limits(wall_s=timeout, cpu_s=timeout + 1, memory_mb=self.memory_mb)
        request = {"code": code, "candles": arrays, "balance": float(balance),
                   "position": position, "calls": calls}
        started = time.perf_counter()
        try:
            reply = self.sandbox.run("decision", request, limits, max_bytes=MAX_RESPONSE_BYTES)
        except SandboxError as exc:
            return StrategyDecision.failure(exc.kind, exc.message,
                                            (time.perf_counter() - started) * 1000)
        elapsed = (time.perf_counter() - started) * 1000
        if reply.get("type") == "error":  # limite atteinte hors du code de décision
            kind = reply.get("kind")
            return StrategyDecision.failure(kind if isinstance(kind, str) and kind in ERROR_KINDS
                                            else "crash",
                                            text(reply.get("message"), MAX_ERROR_CHARS)
                                            or "Erreur inconnue", elapsed)
        return StrategyDecision.from_reply(reply, elapsed, calls)
