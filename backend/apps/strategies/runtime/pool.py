"""Pool de workers chauds qui exécutent les stratégies, avec une API asyncio et une API synchrone.

    pool = StrategyPool(size=2, memory_mb=2048)
    await pool.astart()                       # facultatif : sinon au premier appel
    decision = await pool.run(code, candles, balance=1000.0, timeout=5.0)
    await pool.aclose()

Chaque appel prend un worker libre (file d'attente), lui envoie la requête et attend la réponse
dans un thread du pool (`loop.run_in_executor`) : la boucle asyncio n'est jamais bloquée et une
stratégie lente ne retarde les autres que si tous les workers sont occupés. Un worker qui dépasse
le délai, meurt ou manque de mémoire est tué et remplacé en arrière-plan.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import queue
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

from apps.strategies.runtime.base import DECISION_METHODS
from apps.strategies.runtime.candles import CandlesError, candles_to_arrays
from apps.strategies.runtime.process import (
    WorkerCrashed,
    WorkerFailure,
    WorkerProcess,
    WorkerStartError,
    WorkerTimeout,
    describe_exit,
)

logger = logging.getLogger(__name__)

DEFAULT_MEMORY_MB = 2048
DEFAULT_TIMEOUT = 5.0


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
    def from_reply(cls, reply: dict[str, Any], duration_ms: float) -> StrategyDecision:
        results = reply.get("results") or {}
        return cls(
            should_long=results.get("should_long"),
            should_short=results.get("should_short"),
            position_size=results.get("calculate_position_size"),
            stop_loss=results.get("calculate_stop_loss"),
            take_profit=results.get("calculate_take_profit"),
            error=None if reply.get("ok") else reply.get("error") or "Erreur inconnue",
            error_line=reply.get("line"),
            error_kind=None if reply.get("ok") else reply.get("kind") or "runtime",
            class_name=reply.get("class_name"),
            duration_ms=duration_ms,
            logs=reply.get("logs") or "",
            results=results,
        )

    @classmethod
    def failure(cls, kind: str, message: str, duration_ms: float = 0.0) -> StrategyDecision:
        return cls(error=message, error_kind=kind, duration_ms=duration_ms)


class StrategyPool:
    """N workers chauds ; `run()` (asyncio) et `run_sync()` (threads) sont sûrs en concurrence."""

    def __init__(self, size: int = 2, *, memory_mb: int = DEFAULT_MEMORY_MB,
                 default_timeout: float = DEFAULT_TIMEOUT, start_timeout: float = 60.0,
                 isolate_network: bool = True) -> None:
        if size < 1:
            raise ValueError("Le pool de stratégies doit avoir au moins un worker")
        self.size = size
        self.memory_mb = memory_mb
        self.default_timeout = default_timeout
        self.start_timeout = start_timeout
        self.isolate_network = isolate_network
        self._idle: queue.Queue[WorkerProcess] = queue.Queue()
        self._workers: set[WorkerProcess] = set()
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="strategy-pool")
        self._started = False
        self._closed = False

    # -- cycle de vie -------------------------------------------------------------------------
    def _new_worker(self) -> WorkerProcess:
        worker = WorkerProcess(memory_mb=self.memory_mb, start_timeout=self.start_timeout,
                               isolate_network=self.isolate_network)
        with self._lock:
            self._workers.add(worker)
        return worker

    def start(self) -> None:
        """Lance les N workers en parallèle et attend qu'ils soient prêts (~1 s)."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        workers = [self._new_worker() for _ in range(self.size)]
        for worker in workers:  # lancement en parallèle : les imports chauds se chevauchent
            try:
                worker.spawn()
            except WorkerStartError:
                logger.exception("Worker de stratégies non lancé (nouvel essai au prochain appel)")
        for worker in workers:
            if worker.proc is not None:
                try:
                    worker.wait_ready()
                except WorkerStartError:
                    logger.exception("Worker de stratégies non démarré (nouvel essai au prochain "
                                     "appel)")
            self._idle.put(worker)
        if self.isolate_network and self.pids and not self.network_isolated:
            logger.warning("Isolation réseau des workers de stratégies indisponible (espaces de "
                           "noms utilisateur interdits ?) : seule la liste blanche d'imports "
                           "protège le réseau")

    async def astart(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self.start)

    def close(self) -> None:
        """Arrête tous les workers (idempotent)."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.stop()
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
    def pids(self) -> list[int]:
        """PID des workers vivants (diagnostic, tests)."""
        with self._lock:
            return [w.pid for w in self._workers if w.alive and w.pid is not None]

    @property
    def network_isolated(self) -> bool:
        """Vrai si tous les workers vivants tournent sans réseau (espace de noms réseau vide)."""
        with self._lock:
            alive = [w for w in self._workers if w.alive]
        return bool(alive) and all(w.network_isolated for w in alive)

    @property
    def idle_count(self) -> int:
        """Nombre de workers libres dans la file (approximatif, diagnostic)."""
        return self._idle.qsize()

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
        request = {"op": "run", "code": code, "candles": arrays, "balance": float(balance),
                   "position": position, "calls": calls, "timeout": timeout}
        self.start()
        worker = self._acquire()
        if worker is None:
            return StrategyDecision.failure("unavailable", "Le pool de stratégies est arrêté")
        started = time.perf_counter()
        try:
            if not worker.alive:
                worker.start()
            # Le worker s'interrompt lui-même (SIGALRM, avec la ligne) ; le parent tue le
            # processus si même cela échoue (boucle en C, `except BaseException` avalant tout).
            reply = worker.call(request, timeout + min(1.0, max(0.25, timeout * 0.2)))
        except WorkerFailure as exc:
            elapsed = (time.perf_counter() - started) * 1000
            self._replace(worker, in_background=not isinstance(exc, WorkerStartError))
            return StrategyDecision.failure(*self._failure_text(exc, timeout), elapsed)
        elapsed = (time.perf_counter() - started) * 1000
        if reply.get("fatal"):
            self._replace(worker)
        else:
            self._idle.put(worker)
        return StrategyDecision.from_reply(reply, elapsed)

    def _acquire(self) -> WorkerProcess | None:
        """Prend un worker libre (attend si tous sont occupés) ; None si le pool est fermé."""
        while not self._closed:
            try:
                return self._idle.get(timeout=0.5)
            except queue.Empty:
                continue
        return None

    def _failure_text(self, exc: WorkerFailure, timeout: float) -> tuple[str, str]:
        if isinstance(exc, WorkerTimeout):
            return "timeout", (f"Délai dépassé : la stratégie n'a pas répondu en {timeout:g} s "
                               "(boucle infinie ?) — processus arrêté et remplacé")
        if isinstance(exc, WorkerCrashed):
            return "crash", (f"Le processus de la stratégie s'est arrêté brutalement "
                             f"({describe_exit(exc.returncode)}) — processus remplacé")
        if isinstance(exc, WorkerStartError):
            return "unavailable", f"Le bac à sable des stratégies n'a pas pu démarrer : {exc}"
        return "crash", f"Réponse invalide du processus de la stratégie ({exc}) — processus remplacé"

    def _replace(self, worker: WorkerProcess, *, in_background: bool = True) -> None:
        """Tue `worker` et remet un worker neuf dans la file (démarré en arrière-plan)."""
        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            if self._closed:
                return
        fresh = self._new_worker()
        if not in_background:  # démarrage en échec : on réessaiera au prochain appel
            self._idle.put(fresh)
            return

        def warm() -> None:
            try:
                fresh.start()
            except WorkerStartError:
                logger.exception("Remplacement d'un worker de stratégies en échec")
            if self._closed:
                fresh.kill()
            self._idle.put(fresh)

        threading.Thread(target=warm, name="strategy-pool-respawn", daemon=True).start()
