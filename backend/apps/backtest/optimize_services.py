"""Optimisations lancées depuis la page Backtest : lecture, lancement, annulation, suppression.

La grille, la métrique, l'échantillon (`max_runs`) et les valeurs fixes sont vérifiés **au
lancement** (erreurs françaises en 400, rien n'est téléchargé pour une grille invalide). Une
optimisation occupe tous les cœurs : une seule active par utilisateur.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.backtest import optimize_messages as messages
from apps.backtest.engine.optimize import check_metric, grid_combinations, parse_grid
from apps.backtest.engine.params import cast_params, parameter_specs
from apps.backtest.models import BacktestOptimization
from apps.backtest.optimize_jobs import (
    local_optimization_ids,
    optimization_job_cancel,
    optimization_launch,
)
from apps.backtest.selectors import STALE_AFTER, orphans_show
from apps.backtest.services import cancel_active, launch_plan
from apps.core.access import owned
from apps.core.exceptions import AristobotError, ConflictError

Status = BacktestOptimization.Status
ACTIVE = BacktestOptimization.ACTIVE_STATUSES
STALE_MESSAGE = "Optimisation interrompue par un redémarrage du serveur : relancez-la."
#: Gros champ que la liste n'embarque pas (tous les runs).
LIST_EXCLUDED = ("result",)


# --- lectures ------------------------------------------------------------------------------------
def optimizations_visible(*, user: Any) -> QuerySet[BacktestOptimization]:
    """Les optimisations de l'utilisateur (toutes pour un développeur), plus récentes d'abord."""
    return owned(BacktestOptimization.objects.all(), user)


def optimizations_list(*, user: Any) -> QuerySet[BacktestOptimization]:
    return optimizations_visible(user=user).defer(*LIST_EXCLUDED)


def optimizations_orphans_show(rows: Any) -> None:
    """Lignes actives sans tâche vivante (serveur redémarré) montrées en erreur (lecture seule)."""
    orphans_show(rows, local_optimization_ids(), STALE_MESSAGE)


def optimization_get(*, user: Any, optimization_id: int) -> BacktestOptimization | None:
    row = optimizations_list(user=user).filter(pk=optimization_id).first()
    if row is not None:
        optimizations_orphans_show([row])
    return row


def optimization_snapshot(*, user: Any, optimization_id: int) -> dict[str, Any] | None:
    """Le message d'état courant (connexion du WebSocket) ; None si l'optimisation n'est pas à
    l'utilisateur. Seuls `best` et `total_runs` du résultat sont lus (pas tous les runs)."""
    row = optimization_get(user=user, optimization_id=optimization_id)
    if row is None:
        return None
    if row.status == Status.DONE:
        best, total = (BacktestOptimization.objects.filter(pk=row.pk)
                       .values_list("result__best", "result__total_runs").first() or (None, None))
        return {**messages.done_message(row, result={}), "best": best,
                "total_runs": total if total is not None else row.runs_total}
    return messages.snapshot_message(row)


# --- écritures -----------------------------------------------------------------------------------
def optimization_create(*, user: Any, grid: str, metric: str, max_runs: int | None,
                        test_ratio: float | None, params: dict[str, Any] | None,
                        **request: Any) -> BacktestOptimization:
    """Vérifie la demande puis lance l'optimisation après la validation de la transaction.
    `request` : les arguments de `services.launch_plan` (stratégie, broker, paire, période…)."""
    plan = launch_plan(user=user, **request)
    code = plan.strategy.code
    check_metric(metric)
    parsed = parse_grid(grid, parameter_specs(code))
    fixed = cast_params(code, params)
    both = sorted(set(fixed) & set(parsed))
    if both:
        raise AristobotError(f"Paramètre à la fois fixe et dans la grille : {', '.join(both)}.")
    total = len(grid_combinations(parsed, max_runs=max_runs))
    optimizations_expire_stale()
    if BacktestOptimization.objects.filter(user=user, status__in=ACTIVE).exists():
        raise ConflictError("Une optimisation est déjà en cours (elle occupe tous les cœurs) : "
                            "attendez sa fin ou arrêtez-la.")
    with transaction.atomic():
        row = BacktestOptimization.objects.create(
            user=user, **plan.fields(), grid=grid.strip(), metric=metric, max_runs=max_runs,
            test_ratio=test_ratio, params=fixed, runs_total=total, status=Status.PENDING,
            heartbeat_at=timezone.now())
        transaction.on_commit(lambda pk=row.pk: optimization_launch(optimization_id=pk))
    return row


def optimization_cancel(*, row: BacktestOptimization) -> BacktestOptimization:
    """Arrête une optimisation active (enfants tués) ; terminée : `ConflictError`."""
    return cancel_active(row, after_cancel=_after_cancel,
                         finished_text="Cette optimisation est déjà terminée")


def _after_cancel(optimization_id: int, phase: str) -> None:
    optimization_job_cancel(optimization_id=optimization_id)
    row = BacktestOptimization.objects.filter(pk=optimization_id).first()
    if row is not None:
        async_to_sync(messages.push)(optimization_id, messages.cancelled_message(row, phase=phase))


def optimization_delete(*, row: BacktestOptimization) -> None:
    """Supprime une optimisation (arrêtée d'abord si elle tourne encore)."""
    optimization_id = row.pk
    row.delete()
    optimization_job_cancel(optimization_id=optimization_id)


def optimizations_expire_stale() -> int:
    """Passe en erreur les optimisations « actives » sans tâche vivante."""
    limit = timezone.now() - STALE_AFTER
    stale = Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, created_at__lt=limit)
    return (BacktestOptimization.objects.filter(stale, status__in=ACTIVE)
            .exclude(pk__in=local_optimization_ids())
            .update(status=Status.ERROR, error_message=STALE_MESSAGE, finished_at=timezone.now()))
