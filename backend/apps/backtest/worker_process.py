"""Le calcul d'un backtest vu du parent (asyncio) : un enfant neuf du bac à sable par backtest.

Le processus modèle du backtest (un par processus Daphne, démarré au premier backtest) a déjà
importé pandas, pandas-ta et le moteur ; chaque backtest est un `fork()` de ce modèle, confiné
(seccomp, Landlock, uid dédié, mémoire, temps CPU et horloge murale) avant de lire le code, et
qui sort après avoir répondu : le code d'un utilisateur ne partage jamais d'interpréteur avec un
autre calcul. Annuler la coroutine `run()` tue l'enfant aussitôt, même dans une boucle infinie.
La réponse est relue comme une donnée non fiable (`results.output_clean`).
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings

from apps.backtest.engine import BacktestError
from apps.backtest.results import output_clean
from apps.backtest.worker import limit_text
from apps.strategies.runtime.sandbox.client import Sandbox
from apps.strategies.runtime.sandbox.confine import Limits
from apps.strategies.runtime.sandbox.frames import finite, small_int, text
from apps.strategies.runtime.sandbox.wire import Child, SandboxError, SandboxTimeout

BACKTEST_HANDLER = "apps.backtest.worker:handle"
OPTIMIZE_HANDLER = "apps.backtest.optimize_worker:handle"

_sandbox_lock = threading.Lock()
_sandbox: Sandbox | None = None


def backtest_sandbox() -> Sandbox:
    """Le bac à sable des backtests de ce processus (modèle démarré au premier usage)."""
    global _sandbox
    with _sandbox_lock:
        if _sandbox is None:
            _sandbox = Sandbox({"backtest": BACKTEST_HANDLER, "optimize": OPTIMIZE_HANDLER},
                               name="backtest")
            atexit.register(_sandbox.close)
        return _sandbox


def sandbox_stop() -> None:
    """Arrête le processus modèle des backtests (sortie du processus, tests)."""
    global _sandbox
    with _sandbox_lock:
        sandbox, _sandbox = _sandbox, None
    if sandbox is not None:
        sandbox.close()


class BacktestWorker:
    """Un calcul : `await run(requête, on_progress)` une seule fois."""

    def __init__(self, limits: Limits, *, max_bytes: int) -> None:
        self.limits = limits
        self.max_bytes = max_bytes
        self.sandbox = backtest_sandbox()
        self.child: Child | None = None

    @property
    def pid(self) -> int | None:
        """PID de l'enfant qui calcule (diagnostic, tests) ; None avant son lancement."""
        return self.child.pid if self.child is not None else None

    async def run(self, request: dict[str, Any], on_progress: Callable[[float], Any]) -> dict[str, Any]:
        """Renvoie `output` (vérifié) ; `BacktestError` (message français) sinon."""

        def frame(message: dict[str, Any]) -> None:
            progress = finite(message.get("progress"))
            if progress is not None:
                on_progress(min(max(progress, 0.0), 100.0))

        try:
            reply = await self.sandbox.arun("backtest", request, self.limits,
                                            max_bytes=self.max_bytes, on_frame=frame,
                                            on_spawn=self._spawned)
        except SandboxTimeout:
            raise BacktestError(limit_text(self.limits)) from None
        except SandboxError as exc:
            raise BacktestError(f"Calcul du backtest interrompu : {exc.message}") from None
        if reply.get("type") == "error":  # limite atteinte hors du moteur (temps, mémoire)
            if reply.get("kind") == "timeout":  # comparaison d'égalité : sûre pour tout type
                raise BacktestError(limit_text(self.limits))
            raise BacktestError(text(reply.get("message"), 2000) or "Erreur du backtest")
        error = reply.get("error")
        if isinstance(error, dict):
            raise BacktestError(text(error.get("message"), 2000) or "Erreur du backtest",
                                extra={"line": small_int(error.get("line"), 1)})
        try:
            return output_clean(reply.get("output"), stamps=request["candles"]["timestamp"])
        except ValueError as exc:
            raise BacktestError(f"Résultat du backtest refusé : {exc}") from None


    def _spawned(self, child: Child) -> None:
        self.child = child


def backtest_limits() -> tuple[Limits, int]:
    """Limites d'un backtest (réglages ARISTOBOT_BACKTEST_*) et taille maximale du résultat."""
    timeout = float(getattr(settings, "ARISTOBOT_BACKTEST_TIMEOUT_S", 1800.0))
    limits = Limits(wall_s=timeout, cpu_s=timeout,
                    memory_mb=int(getattr(settings, "ARISTOBOT_BACKTEST_MEMORY_MB", 4096)))
    return limits, int(getattr(settings, "ARISTOBOT_BACKTEST_MAX_RESULT_MB", 64)) * 1024 * 1024


def frame_arrays(frame: Any) -> dict[str, Any]:
    """DataFrame préparé (`prepare_candles`) → tableaux envoyés à l'enfant."""
    arrays = {name: frame[name].to_numpy(dtype="float64")
              for name in ("open", "high", "low", "close", "volume")}
    arrays["timestamp"] = frame.index.asi8
    return arrays


def backtest_request(*, code: str, arrays: dict[str, Any], initial_amount: float, fee_rate: float,
                     timeframe: str | None, mode: str,
                     params: dict[str, Any] | None = None) -> dict[str, Any]:
    """La demande envoyée à l'enfant : code, bougies en tableaux (`timestamp` en ns), réglages,
    valeurs imposées aux paramètres de la stratégie (`params`, facultatif)."""
    request = {"code": code, "candles": arrays, "initial_amount": float(initial_amount),
               "fee_rate": float(fee_rate), "timeframe": timeframe, "mode": mode}
    if params:
        request["params"] = dict(params)
    return request


def backtest_run_sandboxed(*, request: dict[str, Any],
                           on_progress: Callable[[float], Any]) -> dict[str, Any]:
    """Un backtest complet dans un enfant du bac à sable, depuis du code synchrone (commande
    `run_backtest`) : même demande, même enfant et même relecture que depuis la page."""
    limits, max_bytes = backtest_limits()
    worker = BacktestWorker(limits, max_bytes=max_bytes)
    return asyncio.run(worker.run(request, on_progress))
