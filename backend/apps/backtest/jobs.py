"""Exécution d'un backtest en tâche de fond, hors de la boucle de Daphne.

Une tâche asyncio par backtest sur la boucle des exchanges du processus (`exchange_loop`, un
thread à part : la boucle qui sert HTTP et WebSocket n'est jamais bloquée) :

1. téléchargement des bougies manquantes (`candles_download`, page par page, idempotent) ;
2. lecture des bougies (`COPY … TO STDOUT`, dans un thread) puis calcul dans un **enfant neuf et
   confiné du bac à sable** (`worker_process.py`), limité en temps (ARISTOBOT_BACKTEST_TIMEOUT_S)
   et en mémoire (ARISTOBOT_BACKTEST_MEMORY_MB) : le code de l'utilisateur ne tourne jamais dans
   Daphne ;
3. résultats écrits dans `backtest_results`.

La progression vit en mémoire ; elle est écrite en base (`download_progress`, `progress`,
`heartbeat_at`) et diffusée (`messages.py`) toutes les 0,5 s si elle change, au moins chaque
seconde sinon. Chaque écriture est conditionnelle (statut encore actif) : si la ligne a été
annulée ou supprimée — par ce processus ou un autre —, la tâche s'arrête (téléchargement
interrompu, worker tué) en moins d'une seconde. Une annulation reçue par ce processus arrête la
tâche aussitôt (`backtest_job_cancel`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.backtest.candles import backtest_candles_read
from apps.backtest.engine import BacktestCancelled
from apps.backtest.messages import cancelled_message, done_message, error_message, progress_message, push
from apps.backtest.models import BacktestResult
from apps.backtest.worker_process import BacktestWorker, backtest_limits, backtest_request
from apps.core.exceptions import AristobotError
from apps.core.services.exchange_loop import exchange_loop_submit
from apps.core.unset import UNSET, Unset, provided
from apps.market_data.candle_download import DownloadReport, candles_download

logger = logging.getLogger(__name__)

Status = BacktestResult.Status
ACTIVE = BacktestResult.ACTIVE_STATUSES
REPORT_INTERVAL = 0.5  # s : écriture + diffusion si la progression a changé
KEEPALIVE = 1.0  # s : écriture + diffusion même sans changement


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


@dataclass
class _LoopState:
    """Ressources propres à une boucle asyncio (les primitives asyncio y sont liées)."""

    workers: asyncio.Semaphore
    downloads: dict[tuple[str, str, str], asyncio.Lock] = field(default_factory=dict)


_loop_states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = (
    weakref.WeakKeyDictionary())
_jobs: dict[int, BacktestJob] = {}


def _loop_state() -> _LoopState:
    loop = asyncio.get_running_loop()
    state = _loop_states.get(loop)
    if state is None:
        state = _LoopState(asyncio.Semaphore(int(setting("ARISTOBOT_BACKTEST_WORKERS", 2))))
        _loop_states[loop] = state
    return state


def _ms(moment: Any) -> int:
    return int(moment.timestamp() * 1000)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(repr(float(value)))


def _read_candles(
    *, exchange: str, symbol: str, timeframe: str, start_ms: int, end_ms: int
) -> dict[str, Any]:
    """Lecture COPY dans un thread à part (connexion fermée à la fin) : ne retient pas la tâche."""
    try:
        return backtest_candles_read(exchange=exchange, symbol=symbol, timeframe=timeframe,
                                     start_ms=start_ms, end_ms=end_ms)
    finally:
        connection.close()


def _save_results(backtest_id: int, output: dict[str, Any], download: DownloadReport,
                  candles: int) -> BacktestResult | None:
    """Écrit les résultats si le backtest est encore actif ; la ligne à jour, ou None."""
    stats = output["stats"]
    now = timezone.now()
    engine = {key: output.get(key) for key in ("mode", "message", "checked_candles", "errors_count",
                                               "errors", "timings")}
    rows = BacktestResult.objects.filter(pk=backtest_id, status__in=ACTIVE).update(
        status=Status.DONE, download_progress=100, progress=100, finished_at=now, heartbeat_at=now,
        error_message="", lookahead_detected=bool(output.get("lookahead_detected")),
        final_amount=_decimal(stats.get("final_amount")), total_pnl=_decimal(stats.get("total_pnl")),
        total_pnl_pct=stats.get("total_pnl_pct"), total_trades=stats.get("total_trades") or 0,
        winning_trades=stats.get("winning_trades") or 0, losing_trades=stats.get("losing_trades") or 0,
        win_rate=stats.get("win_rate"), max_drawdown=_decimal(stats.get("max_drawdown")),
        max_drawdown_pct=stats.get("max_drawdown_pct"), sharpe_ratio=stats.get("sharpe_ratio"),
        sortino_ratio=stats.get("sortino_ratio"),
        stats={**stats, "engine": engine,
               "download": {"missing": download.missing, "stored": download.stored,
                            "pages": download.pages, "candles": candles}},
        trades_detail=output.get("trades") or [], equity_curve=output.get("equity_curve") or [],
    )
    return BacktestResult.objects.get(pk=backtest_id) if rows else None


def _finish(model: type[Any], row_id: int, *, status: str, error_message: str = "") -> Any:
    """Statut final si la ligne est encore active (sinon : déjà annulée ou supprimée)."""
    now = timezone.now()
    rows = model.objects.filter(pk=row_id, status__in=ACTIVE).update(
        finished_at=now, heartbeat_at=now, status=status, error_message=error_message)
    return model.objects.get(pk=row_id) if rows else None


def _count(value: int) -> str:
    return f"{value:,}".replace(",", " ")


class BacktestJob:
    """Un backtest en cours dans ce processus : état de progression, annulation, worker.

    `optimize_jobs.OptimizationJob` en hérite (même déroulement, autre calcul et autre ligne)."""

    model: type[Any] = BacktestResult

    def __init__(self, backtest_id: int) -> None:
        self.backtest_id = backtest_id
        self.loop = asyncio.get_running_loop()
        self.cancel_event = asyncio.Event()
        self.status: str = Status.PENDING
        self.download = 0.0
        self.compute = 0.0
        self.message = ""
        self.worker: BacktestWorker | None = None
        self.closing = False  # résultats en cours d'écriture : plus d'écriture de progression
        self._changed = True
        self._last_push = 0.0

    # --- progression ---------------------------------------------------------------------------
    def update(
        self,
        *,
        status: str | Unset = UNSET,
        download: float | Unset = UNSET,
        compute: float | Unset = UNSET,
        message: str | Unset = UNSET,
    ) -> None:
        """Change l'état de progression ; le prochain `flush` l'écrit et le diffuse."""
        for name, value in provided(status=status, download=download, compute=compute,
                                    message=message).items():
            setattr(self, name, value)
        self._changed = True

    def _on_download(self, done: int, total: int) -> None:
        pct = 100.0 * done / total if total else 100.0
        self.update(download=pct, message=(f"{_count(done)} / {_count(total)} bougies téléchargées"
                                           if total else "Bougies déjà en base"))

    def _on_compute(self, pct: float) -> None:
        self.update(compute=max(self.compute, min(pct, 100.0)), message=f"Calcul : {pct:.0f} %")

    async def flush(self, *, force: bool = False) -> bool:
        """Écrit l'état en base puis le diffuse ; False si la ligne n'est plus active."""
        now = time.monotonic()
        if self.closing:
            return True
        if not (force or self._changed or now - self._last_push >= KEEPALIVE):
            return True
        self._changed, self._last_push = False, now
        rows = await self.model.objects.filter(pk=self.backtest_id, status__in=ACTIVE).aupdate(
            **self._progress_fields(), heartbeat_at=timezone.now())
        if not rows:
            self.cancel_event.set()
            return False
        await self._push_progress()
        return True

    def _progress_fields(self) -> dict[str, Any]:
        return {"status": self.status, "download_progress": round(self.download, 2),
                "progress": round(self.compute, 2)}

    async def _push_progress(self) -> None:
        snapshot = BacktestResult(pk=self.backtest_id, status=self.status,
                                  download_progress=self.download, progress=self.compute)
        await push(self.backtest_id, progress_message(snapshot, message=self.message))

    async def _report(self) -> None:
        while True:
            await asyncio.sleep(REPORT_INTERVAL)
            if not await self.flush():
                return

    # --- déroulement ---------------------------------------------------------------------------
    async def run(self) -> None:
        backtest = await self.model.objects.filter(pk=self.backtest_id, status__in=ACTIVE).afirst()
        if backtest is None:
            return
        await self.model.objects.filter(pk=self.backtest_id).aupdate(started_at=timezone.now())
        self._started(backtest)
        reporter = asyncio.create_task(self._report())
        work = asyncio.create_task(self._work(backtest))
        stop = asyncio.create_task(self.cancel_event.wait())
        try:
            await asyncio.wait({work, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not work.done():
                work.cancel()
                with contextlib.suppress(BaseException):
                    await work
                await self._finish_cancelled()
            elif not work.cancelled() and work.exception() is not None:
                await self._finish_error(work.exception())
        finally:
            reporter.cancel()
            stop.cancel()

    def _started(self, row: Any) -> None:
        """La ligne active vient d'être lue (avant toute écriture de progression)."""

    async def _work(self, backtest: BacktestResult) -> None:
        start_ms, end_ms = _ms(backtest.start_date), _ms(backtest.end_date)
        self.update(status=Status.DOWNLOADING, message="Recherche des bougies manquantes…")
        await self.flush(force=True)
        state = _loop_state()
        key = (backtest.exchange, backtest.symbol, backtest.timeframe)
        lock = state.downloads.setdefault(key, asyncio.Lock())
        async with lock:  # deux backtests sur les mêmes bougies : un seul téléchargement
            report = await candles_download(
                exchange_id=backtest.exchange, symbol=backtest.symbol, timeframe=backtest.timeframe,
                start_ms=start_ms, end_ms=end_ms, progress_cb=self._on_download)
        self.update(status=Status.RUNNING, download=100.0, message="En attente d'un worker libre…")
        await self.flush(force=True)
        async with state.workers:
            self.update(message="Lecture des bougies…")
            arrays = await sync_to_async(_read_candles, thread_sensitive=False)(
                exchange=backtest.exchange, symbol=report.symbol, timeframe=backtest.timeframe,
                start_ms=start_ms, end_ms=end_ms)
            count = len(arrays["close"])
            self.update(message=f"Calcul sur {_count(count)} bougies…")
            output = await self._compute(backtest, arrays)
        self.closing = True
        await self._save(output, report, count)

    async def _save(self, output: dict[str, Any], report: DownloadReport, count: int) -> None:
        saved = await sync_to_async(_save_results)(self.backtest_id, output, report, count)
        if saved is not None:
            await push(self.backtest_id, done_message(saved))

    async def _compute(self, backtest: BacktestResult, arrays: dict[str, Any]) -> dict[str, Any]:
        limits, max_bytes = backtest_limits()
        self.worker = BacktestWorker(limits, max_bytes=max_bytes)
        request = backtest_request(code=backtest.strategy_code, arrays=arrays,
                                   initial_amount=float(backtest.initial_amount),
                                   fee_rate=float(backtest.fee_rate),
                                   timeframe=backtest.timeframe, mode="fast",
                                   params=backtest.params or None)
        return await self.worker.run(request, self._on_compute)

    async def _finish_cancelled(self) -> None:
        phase = "download" if self.status in (Status.PENDING, Status.DOWNLOADING) else "compute"
        saved = await sync_to_async(_finish)(self.model, self.backtest_id, status=Status.CANCELLED)
        if saved is not None:
            await self._push_final(saved, phase)

    async def _finish_error(self, exc: BaseException) -> None:
        if isinstance(exc, BacktestCancelled):  # arrêt demandé pendant le calcul
            await self._finish_cancelled()
            return
        if isinstance(exc, AristobotError):
            text = exc.message
            line = exc.extra.get("line") if exc.extra else None
            if line:
                text = f"{text} (ligne {line})" if f"ligne {line}" not in text else text
        else:
            logger.error("Backtest %s : erreur interne", self.backtest_id, exc_info=exc)
            text = f"Erreur interne : {exc!r}"
        saved = await sync_to_async(_finish)(self.model, self.backtest_id, status=Status.ERROR,
                                             error_message=text)
        if saved is not None:
            await self._push_final(saved, "")

    async def _push_final(self, saved: Any, phase: str) -> None:
        """Diffuse l'annulation (`phase` donnée) ou l'erreur (`phase` vide)."""
        message = cancelled_message(saved, phase=phase) if phase else error_message(saved)
        await push(self.backtest_id, message)


async def backtest_job_run(*, backtest_id: int) -> None:
    """Exécute le backtest (téléchargement puis calcul) ; enregistré pour l'annulation locale."""
    job = BacktestJob(backtest_id)
    _jobs[backtest_id] = job
    try:
        await job.run()
    finally:
        _jobs.pop(backtest_id, None)


def backtest_launch(*, backtest_id: int) -> None:
    """Lance le backtest sur la boucle des exchanges du processus (sans attendre)."""
    future = exchange_loop_submit(backtest_job_run(backtest_id=backtest_id))

    def _log_failure(done: Any) -> None:
        if not done.cancelled() and done.exception() is not None:
            logger.error("Backtest %s en échec", backtest_id, exc_info=done.exception())

    future.add_done_callback(_log_failure)


def backtest_job_cancel(*, backtest_id: int) -> bool:
    """Arrête tout de suite la tâche de ce backtest si elle tourne dans ce processus (thread-safe)."""
    job = _jobs.get(backtest_id)
    if job is None:
        return False
    job.loop.call_soon_threadsafe(job.cancel_event.set)
    return True


def local_job_ids() -> set[int]:
    """Backtests en cours dans ce processus."""
    return set(_jobs)


def job_worker_pid(backtest_id: int) -> int | None:
    """PID du worker de calcul d'un backtest en cours ici (diagnostic, tests)."""
    job = _jobs.get(backtest_id)
    return job.worker.pid if job is not None and job.worker is not None else None
