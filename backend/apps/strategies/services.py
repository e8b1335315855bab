"""Services des stratégies : création (depuis le template), modification, suppression."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from apps.accounts.models import User
from apps.core.exceptions import AristobotError, ConflictError
from apps.strategies.models import Strategy
from apps.strategies.runtime.validation import sandbox_status, validate_code
from apps.strategies.templates import STRATEGY_TEMPLATE


@transaction.atomic
def strategy_create(*, user: User, **fields: Any) -> Strategy:
    """Crée une stratégie ; sans code, elle part du template de base."""
    if Strategy.objects.filter(user=user, name=fields.get("name")).exists():
        raise ConflictError(f"Vous avez déjà une stratégie nommée « {fields.get('name')} ».")
    fields.setdefault("code", STRATEGY_TEMPLATE)
    strategy = Strategy(user=user, **fields)
    strategy.full_clean()
    strategy.save()
    return strategy


@transaction.atomic
def strategy_update(*, strategy: Strategy, **fields: Any) -> Strategy:
    name = fields.get("name")
    if name and Strategy.objects.filter(user=strategy.user, name=name).exclude(
        pk=strategy.pk
    ).exists():
        raise ConflictError(f"Vous avez déjà une stratégie nommée « {name} ».")
    for field, value in fields.items():
        setattr(strategy, field, value)
    strategy.full_clean()
    strategy.save()
    return strategy


@transaction.atomic
def strategy_delete(*, strategy: Strategy) -> None:
    try:
        strategy.delete()
    except ProtectedError:
        raise AristobotError(
            f"Impossible de supprimer la stratégie « {strategy.name} » : elle est utilisée par "
            "des stratégies actives (Trading BOT). Supprimez ces activations d'abord.",
            status_code=409,
        ) from None


def strategy_code_validate(*, code: str) -> dict[str, Any]:
    """Compile, charge et exécute une fois le code dans le bac à sable (bougies synthétiques).

    Renvoie le corps de réponse `{"ok": true, "class_name", "results"}` ou
    `{"ok": false, "error", "line"}` ; une erreur du code utilisateur n'est pas une exception.
    """
    return validate_code(code).as_dict()


def strategy_sandbox_status() -> dict[str, Any]:
    """Le confinement du code des stratégies sur cette machine (bandeau des pages Stratégies et
    Backtest : avertissement si le code n'est pas, ou pas entièrement, confiné)."""
    return sandbox_status()
