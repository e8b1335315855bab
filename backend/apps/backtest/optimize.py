"""Optimisation des paramètres d'une stratégie : toute la grille, en parallèle, confinée.

    result = optimize_run(code, arrays, spec="fast=5:30:5,slow=20:60:10", maximize="sharpe_ratio",
                          initial_amount=10_000, fee_rate=0.001, timeframe="1h",
                          test_ratio=0.3, on_progress=print, cancel=threading.Event())

Les combinaisons (`engine/optimize.py`) sont réparties en tranches entrelacées (4 par processus,
50 runs au plus), chacune calculée par un enfant neuf et confiné du bac à sable des backtests
(`optimize_worker.py`), au plus `os.cpu_count()` à la fois : le code de la stratégie ne tourne
jamais dans ce processus. Les bougies sont des tableaux numpy envoyés une fois par tranche (aucune
analyse par run). La réponse de chaque enfant est relue comme une donnée non fiable. `cancel`
posé : les enfants en cours sont tués (SIGKILL) et attendus, puis `BacktestCancelled` est levée.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from apps.backtest.engine import BacktestCancelled, BacktestError
from apps.backtest.engine.optimize import (
    best_run,
    check_metric,
    grid_combinations,
    metric_value,
    parse_grid,
    split_index,
)
from apps.backtest.engine.params import cast_params, parameter_specs
from apps.backtest.results import STAT_COUNTS, STAT_NUMBERS
from apps.backtest.worker_process import backtest_limits, backtest_sandbox
from apps.strategies.runtime.sandbox.frames import finite, small_int, text
from apps.strategies.runtime.sandbox.wire import Child, SandboxError, SandboxTimeout

#: Tranches par processus de calcul (équilibrage de charge contre envois des bougies).
CHUNKS_PER_WORKER = 4
#: Runs au plus par tranche : chaque enfant reste loin de sa limite de temps
#: (ARISTOBOT_BACKTEST_TIMEOUT_S vaut pour toute la tranche).
MAX_RUNS_PER_CHUNK = 50
ProgressCallback = Callable[[int, int], Any]  # (runs terminés, runs au total)


def _clean_stats(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError("statistiques invalides")
    stats: dict[str, Any] = {key: finite(raw.get(key)) for key in STAT_NUMBERS}
    for key in STAT_COUNTS:
        stats[key] = small_int(raw.get(key), 0, 10**9) or 0
    stats["open_at_end"] = raw.get("open_at_end") is True
    return stats


def _clean_runs(reply: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """La réponse d'un enfant → `count` runs vérifiés (clés connues, nombres finis)."""
    if reply.get("type") == "error" or isinstance(reply.get("error"), dict):
        error = reply.get("error") if isinstance(reply.get("error"), dict) else reply
        message = text(error.get("message"), 2000) or "Erreur de l'optimisation"
        return [{"error": message}] * count
    output = reply.get("output")
    runs = output.get("runs") if isinstance(output, dict) else None
    if not isinstance(runs, list) or len(runs) != count:
        raise ValueError("liste des runs invalide")
    clean = []
    for run in runs:
        if not isinstance(run, dict):
            raise ValueError("run invalide")
        if run.get("error") is not None:
            clean.append({"error": text(run.get("error"), 1000) or "Erreur du backtest"})
            continue
        clean.append({"stats": _clean_stats(run.get("stats")),
                      "lookahead_detected": run.get("lookahead_detected") is True,
                      "errors_count": small_int(run.get("errors_count"), 0, 10**9) or 0,
                      "message": text(run.get("message"), 1000)})
    return clean


class _Pool:
    """Les enfants en cours, pour les tuer tous à l'annulation (aucun ne survit)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.children: list[Child] = []
        self.stopped = False

    def spawned(self, child: Child) -> None:
        with self.lock:
            self.children.append(child)
            stopped = self.stopped
        if stopped:
            child.kill()

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            children = list(self.children)
        for child in children:
            child.kill()

    def wait_all(self, timeout: float = 5.0) -> None:
        with self.lock:
            children = list(self.children)
        for child in children:
            child.wait_exit(timeout)


def _slice(arrays: dict[str, Any], start: int | None, stop: int | None) -> dict[str, Any]:
    return {name: values[start:stop] for name, values in arrays.items()}


class _Runner:
    """Lance les tranches dans le bac à sable et agrège la progression."""

    def __init__(self, base: dict[str, Any], on_progress: ProgressCallback | None,
                 cancel: threading.Event | None) -> None:
        self.base = base
        self.on_progress = on_progress
        self.cancel = cancel or threading.Event()
        self.pool = _Pool()
        self.limits, self.max_bytes = backtest_limits()
        self.sandbox = backtest_sandbox()

    def chunk(self, combos: list[dict[str, Any]], done: list[float], slot: int) -> list[dict[str, Any]]:
        if self.cancel.is_set():
            raise BacktestCancelled()

        def frame(message: dict[str, Any]) -> None:
            pct = finite(message.get("progress"))
            if pct is not None:
                done[slot] = min(max(pct, 0.0), 100.0) / 100.0 * len(combos)

        request = {**self.base, "combos": combos}
        try:
            reply = self.sandbox.run("optimize", request, self.limits, max_bytes=self.max_bytes,
                                     on_frame=frame, on_spawn=self.pool.spawned)
        except SandboxTimeout:
            reply = {"type": "error", "message": "Tranche de l'optimisation trop longue (réglage "
                                                 "ARISTOBOT_BACKTEST_TIMEOUT_S)"}
        except SandboxError as exc:
            if self.cancel.is_set():
                raise BacktestCancelled() from None
            reply = {"type": "error", "message": f"Calcul interrompu : {exc.message}"}
        try:
            runs = _clean_runs(reply, len(combos))
        except (ValueError, TypeError, AttributeError) as exc:
            runs = [{"error": f"Résultat refusé : {exc}"}] * len(combos)
        done[slot] = float(len(combos))
        return runs

    def run_all(self, combos: list[dict[str, Any]], workers: int) -> list[dict[str, Any]]:
        """Tous les runs, dans l'ordre de `combos` ; `BacktestCancelled` si annulé."""
        count = min(len(combos), max(workers * CHUNKS_PER_WORKER,
                                     -(-len(combos) // MAX_RUNS_PER_CHUNK)))
        slices = [list(range(j, len(combos), count)) for j in range(count)]
        done = [0.0] * count
        results: list[dict[str, Any] | None] = [None] * len(combos)
        executor = ThreadPoolExecutor(max_workers=min(workers, count),
                                      thread_name_prefix="optimisation")
        try:
            futures: dict[Future[list[dict[str, Any]]], int] = {
                executor.submit(self.chunk, [combos[i] for i in indexes], done, slot): slot
                for slot, indexes in enumerate(slices)}
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                if self.cancel.is_set():
                    raise BacktestCancelled()
                for future in finished:
                    for index, run in zip(slices[futures[future]], future.result(), strict=True):
                        results[index] = run
                if self.on_progress is not None:
                    self.on_progress(int(sum(done)), len(combos))
        except BaseException:
            self.cancel.set()
            self.pool.stop()
            executor.shutdown(wait=True, cancel_futures=True)
            self.pool.wait_all()
            raise
        executor.shutdown(wait=True)
        return [run for run in results if run is not None]


def optimize_run(code: str, arrays: dict[str, Any], *, spec: str, maximize: str,
                 initial_amount: float, fee_rate: float = 0.001, timeframe: str | None = None,
                 mode: str = "fast", max_runs: int | None = None, test_ratio: float | None = None,
                 workers: int | None = None, fixed: dict[str, Any] | None = None,
                 on_progress: ProgressCallback | None = None,
                 cancel: threading.Event | None = None) -> dict[str, Any]:
    """`{"metric", "grid", "runs": [{"params", "stats", …}], "best": {"params", "stats",
    ["test_stats"]} | None, …}` ; `fixed` : valeurs imposées aux paramètres hors grille.
    `BacktestError` (français) ou `BacktestCancelled`."""
    started = time.monotonic()
    metric = check_metric(maximize)
    grid = parse_grid(spec, parameter_specs(code))
    fixed_values = cast_params(code, fixed)  # hors grille : même valeur pour tous les runs
    combos = [{**fixed_values, **combo} for combo in grid_combinations(grid, max_runs=max_runs)]
    total = len(arrays["close"])
    cut = split_index(total, test_ratio)
    base = {"code": code, "candles": _slice(arrays, None, cut), "initial_amount": float(initial_amount),
            "fee_rate": float(fee_rate), "timeframe": timeframe, "mode": mode}
    workers = max(1, workers or os.cpu_count() or 1)
    runner = _Runner(base, on_progress, cancel)
    outcomes = runner.run_all(combos, workers)
    runs = [{"params": combo, **outcome} for combo, outcome in zip(combos, outcomes, strict=True)]
    if all(run.get("error") for run in runs):
        raise BacktestError(f"Aucun backtest n'a abouti : {runs[0]['error']}")
    best = best_run(runs, maximize)
    result: dict[str, Any] = {
        "metric": maximize, "grid": grid, "total_runs": len(runs), "workers": workers,
        "train_candles": cut if cut is not None else total,
        "test_candles": total - cut if cut is not None else 0, "runs": runs,
        "best": None if best is None else {"params": best["params"], "stats": best["stats"],
                                           "value": metric_value(best, metric)},
    }
    if best is not None and cut is not None:
        runner.base = {**base, "candles": _slice(arrays, cut, None)}
        test = runner.run_all([best["params"]], 1)[0]
        if test.get("error"):
            raise BacktestError(f"Backtest hors échantillon en échec : {test['error']}")
        result["best"]["test_stats"] = test["stats"]
    result["elapsed_s"] = round(time.monotonic() - started, 3)
    return result
