"""Exécution d'une optimisation lancée depuis la page Backtest (tâche de fond de Daphne).

Même déroulement qu'un backtest (`jobs.BacktestJob` : téléchargement des bougies manquantes,
lecture, calcul, résultat ; progression écrite et diffusée, annulation en moins d'une seconde),
mais le calcul est `optimize.optimize_run` : toute la grille, en parallèle, chaque tranche dans un
enfant confiné du bac à sable. `optimize_run` est synchrone : il tourne dans un thread, et une
annulation pose son `threading.Event` puis attend qu'il ait tué et attendu ses enfants.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
from typing import Any

from asgiref.sync import sync_to_async
from django.utils import timezone

from apps.backtest import optimize_messages as messages
from apps.backtest.jobs import ACTIVE, BacktestJob, Status
from apps.backtest.models import BacktestOptimization
from apps.backtest.optimize import optimize_run
from apps.core.services.exchange_loop import exchange_loop_submit
from apps.market_data.candle_download import DownloadReport

logger = logging.getLogger(__name__)

_jobs: dict[int, OptimizationJob] = {}


def _save_result(optimization_id: int, result: dict[str, Any]) -> BacktestOptimization | None:
    now = timezone.now()
    rows = BacktestOptimization.objects.filter(pk=optimization_id, status__in=ACTIVE).update(
        status=Status.DONE, download_progress=100, progress=100, finished_at=now,
        heartbeat_at=now, error_message="", result=result,
        runs_done=result["total_runs"], runs_total=result["total_runs"])
    return BacktestOptimization.objects.get(pk=optimization_id) if rows else None


class OptimizationJob(BacktestJob):
    """Une optimisation en cours dans ce processus."""

    model = BacktestOptimization

    def __init__(self, optimization_id: int) -> None:
        super().__init__(optimization_id)
        self.runs_done = 0
        self.runs_total = 0
        self.stop = threading.Event()

    def _progress_fields(self) -> dict[str, Any]:
        return {**super()._progress_fields(), "runs_done": self.runs_done,
                "runs_total": self.runs_total}

    async def _push_progress(self) -> None:
        snapshot = BacktestOptimization(
            pk=self.backtest_id, status=self.status, download_progress=self.download,
            progress=self.compute, runs_done=self.runs_done, runs_total=self.runs_total)
        await messages.push(self.backtest_id, messages.progress_message(snapshot,
                                                                        message=self.message))

    def _started(self, row: Any) -> None:
        self.runs_total = row.runs_total

    def _on_runs(self, done: int, total: int) -> None:
        """Depuis le thread de l'optimisation : l'état est changé dans la boucle de la tâche."""
        def apply() -> None:
            self.runs_done, self.runs_total = done, total
            pct = 100.0 * done / total if total else 0.0
            self.update(compute=max(self.compute, pct), message=f"{done} / {total} backtests")

        self.loop.call_soon_threadsafe(apply)

    async def _compute(self, row: BacktestOptimization, arrays: dict[str, Any]) -> dict[str, Any]:
        run = functools.partial(
            optimize_run, row.strategy_code, arrays, spec=row.grid, maximize=row.metric,
            initial_amount=float(row.initial_amount), fee_rate=float(row.fee_rate),
            timeframe=row.timeframe, max_runs=row.max_runs, test_ratio=row.test_ratio,
            fixed=row.params or None, on_progress=self._on_runs, cancel=self.stop)
        future = asyncio.get_running_loop().run_in_executor(None, run)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            self.stop.set()  # enfants tués (SIGKILL) et attendus par optimize_run
            with contextlib.suppress(BaseException):
                await future
            raise

    async def _save(self, output: dict[str, Any], report: DownloadReport, count: int) -> None:
        output = {**output, "candles": count}
        saved = await sync_to_async(_save_result)(self.backtest_id, output)
        if saved is not None:
            await messages.push(self.backtest_id, messages.done_message(saved))

    async def _push_final(self, saved: Any, phase: str) -> None:
        message = (messages.cancelled_message(saved, phase=phase) if phase
                   else messages.error_message(saved))
        await messages.push(self.backtest_id, message)


async def optimization_job_run(*, optimization_id: int) -> None:
    """Exécute l'optimisation ; enregistrée pour l'annulation locale."""
    job = OptimizationJob(optimization_id)
    _jobs[optimization_id] = job
    try:
        await job.run()
    finally:
        _jobs.pop(optimization_id, None)


def optimization_launch(*, optimization_id: int) -> None:
    """Lance l'optimisation sur la boucle des exchanges du processus (sans attendre)."""
    future = exchange_loop_submit(optimization_job_run(optimization_id=optimization_id))

    def _log_failure(done: Any) -> None:
        if not done.cancelled() and done.exception() is not None:
            logger.error("Optimisation %s en échec", optimization_id, exc_info=done.exception())

    future.add_done_callback(_log_failure)


def optimization_job_cancel(*, optimization_id: int) -> bool:
    """Arrête tout de suite l'optimisation si elle tourne dans ce processus (thread-safe)."""
    job = _jobs.get(optimization_id)
    if job is None:
        return False
    job.loop.call_soon_threadsafe(job.cancel_event.set)
    job.stop.set()
    return True


def local_optimization_ids() -> set[int]:
    """Optimisations en cours dans ce processus."""
    return set(_jobs)
