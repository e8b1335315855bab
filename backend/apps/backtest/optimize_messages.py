"""Messages WebSocket d'une optimisation (groupe `optimization_<id>`) et leur diffusion.

- `optimization.progress` : `{optimization_id, status, phase: "download"|"compute", progress (0-100,
  de la phase), download_progress, compute_progress, runs_done, runs_total, message}` — au moins
  chaque seconde tant que l'optimisation est active ;
- `optimization.done` : `{optimization_id, status: "done", total_runs, best}` (`best` : `params`,
  `stats`, `value`, `test_stats` s'il y a une part hors échantillon ; None si aucun run retenable) ;
- `optimization.error` : `{optimization_id, status: "error", message}` ;
- `optimization.cancelled` : `{optimization_id, status: "cancelled", phase}`.
La base fait foi : un message perdu est rattrapé par le suivant ou par la lecture de la ligne.
"""

from __future__ import annotations

from typing import Any

from apps.backtest.messages import group_push, phase_of
from apps.backtest.models import BacktestOptimization

MSG_OPTIMIZATION_PROGRESS = "optimization.progress"
MSG_OPTIMIZATION_DONE = "optimization.done"
MSG_OPTIMIZATION_ERROR = "optimization.error"
MSG_OPTIMIZATION_CANCELLED = "optimization.cancelled"

Status = BacktestOptimization.Status


def optimization_group(optimization_id: int) -> str:
    """Groupe de progression d'une optimisation."""
    return f"optimization_{optimization_id}"


def progress_message(row: BacktestOptimization, *, message: str = "") -> dict[str, Any]:
    phase = phase_of(row.status)
    download, compute = float(row.download_progress), float(row.progress)
    return {"type": MSG_OPTIMIZATION_PROGRESS, "optimization_id": row.pk, "status": row.status,
            "phase": phase, "progress": download if phase == "download" else compute,
            "download_progress": download, "compute_progress": compute,
            "runs_done": row.runs_done, "runs_total": row.runs_total, "message": message}


def done_message(row: BacktestOptimization, *, result: dict[str, Any] | None = None) -> dict[str, Any]:
    result = (row.result if result is None else result) or {}
    return {"type": MSG_OPTIMIZATION_DONE, "optimization_id": row.pk, "status": Status.DONE,
            "total_runs": result.get("total_runs", row.runs_total), "best": result.get("best")}


def error_message(row: BacktestOptimization) -> dict[str, Any]:
    return {"type": MSG_OPTIMIZATION_ERROR, "optimization_id": row.pk, "status": Status.ERROR,
            "message": row.error_message}


def cancelled_message(row: BacktestOptimization, *, phase: str | None = None) -> dict[str, Any]:
    return {"type": MSG_OPTIMIZATION_CANCELLED, "optimization_id": row.pk,
            "status": Status.CANCELLED, "phase": phase or phase_of(row.status)}


def snapshot_message(row: BacktestOptimization) -> dict[str, Any]:
    """Le message qui décrit l'état actuel (envoyé à la connexion du WebSocket)."""
    if row.status == Status.DONE:
        return done_message(row)
    if row.status == Status.ERROR:
        return error_message(row)
    if row.status == Status.CANCELLED:
        return cancelled_message(row, phase="compute" if row.progress > 0 else "download")
    return progress_message(row)


async def push(optimization_id: int, message: dict[str, Any]) -> None:
    """Diffuse au groupe de l'optimisation."""
    await group_push(optimization_group(optimization_id), message)
