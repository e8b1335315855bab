"""Messages WebSocket d'un backtest (groupe `backtest_<id>`) et leur diffusion.

Types (constantes dans `apps.core.groups`) :
- `backtest.progress` : `{backtest_id, status, phase: "download"|"compute", progress (0-100, de la
  phase), download_progress, compute_progress, message}` — au moins chaque seconde tant que le
  backtest est actif ;
- `backtest.done` : `{backtest_id, status: "done", summary: {statistiques principales}}` ;
- `backtest.error` : `{backtest_id, status: "error", message}` ;
- `backtest.cancelled` : `{backtest_id, status: "cancelled", phase}`.
La base fait foi (`download_progress`, `progress`, `status`) : un message perdu est rattrapé par
le suivant ou par la lecture de la ligne.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.layers import get_channel_layer

from apps.backtest.models import BacktestResult

# Progression d'un backtest (groupe backtest_<id>, consommateur `/ws/backtest/<id>/`)
MSG_BACKTEST_PROGRESS = "backtest.progress"  # {phase: download|compute, progress, download_progress, …}
MSG_BACKTEST_DONE = "backtest.done"  # {summary: statistiques principales}
MSG_BACKTEST_ERROR = "backtest.error"  # {message}
MSG_BACKTEST_CANCELLED = "backtest.cancelled"


def backtest_group(backtest_id: int) -> str:
    """Groupe de progression d'un backtest."""
    return f"backtest_{backtest_id}"


logger = logging.getLogger(__name__)

Status = BacktestResult.Status
SUMMARY_FIELDS = ("final_amount", "total_pnl", "total_pnl_pct", "total_trades", "winning_trades",
                  "losing_trades", "win_rate", "max_drawdown_pct", "sharpe_ratio", "sortino_ratio")


def _number(value: Any) -> Any:
    return float(value) if value is not None and not isinstance(value, int | float) else value


def phase_of(status: str) -> str:
    return "download" if status in (Status.PENDING, Status.DOWNLOADING) else "compute"


def progress_message(backtest: BacktestResult, *, message: str = "") -> dict[str, Any]:
    phase = phase_of(backtest.status)
    download, compute = float(backtest.download_progress), float(backtest.progress)
    return {
        "type": MSG_BACKTEST_PROGRESS,
        "backtest_id": backtest.pk,
        "status": backtest.status,
        "phase": phase,
        "progress": download if phase == "download" else compute,
        "download_progress": download,
        "compute_progress": compute,
        "message": message,
    }


def done_message(backtest: BacktestResult) -> dict[str, Any]:
    summary = {name: _number(getattr(backtest, name)) for name in SUMMARY_FIELDS}
    summary["lookahead_detected"] = backtest.lookahead_detected
    return {"type": MSG_BACKTEST_DONE, "backtest_id": backtest.pk, "status": Status.DONE,
            "summary": summary}


def error_message(backtest: BacktestResult) -> dict[str, Any]:
    return {"type": MSG_BACKTEST_ERROR, "backtest_id": backtest.pk, "status": Status.ERROR,
            "message": backtest.error_message}


def cancelled_message(backtest: BacktestResult, *, phase: str | None = None) -> dict[str, Any]:
    return {"type": MSG_BACKTEST_CANCELLED, "backtest_id": backtest.pk,
            "status": Status.CANCELLED, "phase": phase or phase_of(backtest.status)}


def snapshot_message(backtest: BacktestResult) -> dict[str, Any]:
    """Le message qui décrit l'état actuel (envoyé à la connexion du WebSocket)."""
    if backtest.status == Status.DONE:
        return done_message(backtest)
    if backtest.status == Status.ERROR:
        return error_message(backtest)
    if backtest.status == Status.CANCELLED:
        return cancelled_message(backtest, phase="compute" if backtest.progress > 0 else "download")
    return progress_message(backtest)


async def group_push(group: str, message: dict[str, Any]) -> None:
    """Diffuse `message` au groupe (au mieux : la base fait foi ; un échec est journalisé)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await asyncio.wait_for(layer.group_send(group, message), timeout=3)
    except Exception:
        logger.warning("Message %s du groupe %s non diffusé", message.get("type"), group,
                       exc_info=True)


async def push(backtest_id: int, message: dict[str, Any]) -> None:
    """Diffuse au groupe du backtest."""
    await group_push(backtest_group(backtest_id), message)
