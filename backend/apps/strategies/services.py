"""Services des stratégies : création (depuis le template), modification, suppression."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from apps.accounts.models import User
from apps.core.exceptions import AristobotError, ConflictError
from apps.core.unset import UNSET, Unset, provided
from apps.strategies.models import Strategy
from apps.strategies.runtime.params import strategy_parameters
from apps.strategies.runtime.validation import sandbox_status, validate_code
from apps.strategies.templates import STRATEGY_TEMPLATE


def _name_check(*, user_id: int, name: str, exclude_pk: int | None = None) -> None:
    clash = Strategy.objects.filter(user_id=user_id, name=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ConflictError(f"Vous avez déjà une stratégie nommée « {name} ».")


@transaction.atomic
def strategy_create(
    *,
    user: User,
    name: str,
    code: str = "",
    timeframe: str = "15m",
    description: str = "",
) -> Strategy:
    """Crée une stratégie ; sans code, elle part du template de base."""
    _name_check(user_id=user.pk, name=name)
    strategy = Strategy(user=user, name=name, code=code or STRATEGY_TEMPLATE, timeframe=timeframe,
                        description=description)
    strategy.full_clean()
    strategy.save()
    return strategy


@transaction.atomic
def strategy_update(
    *,
    strategy: Strategy,
    name: str | Unset = UNSET,
    code: str | Unset = UNSET,
    timeframe: str | Unset = UNSET,
    description: str | Unset = UNSET,
) -> Strategy:
    """Modifie les champs fournis (nom unique par utilisateur)."""
    if isinstance(name, str) and name:
        _name_check(user_id=strategy.user_id, name=name, exclude_pk=strategy.pk)
    for field, value in provided(name=name, code=code, timeframe=timeframe,
                                 description=description).items():
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
    `{"ok": false, "error", "line"}`, plus `parameters` (attributs de classe numériques) ; une
    erreur du code utilisateur n'est pas une exception.
    """
    return {**validate_code(code).as_dict(), "parameters": strategy_parameters(code)}


def strategy_sandbox_status() -> dict[str, Any]:
    """Le confinement du code des stratégies sur cette machine (bandeau des pages Stratégies et
    Backtest : avertissement si le code n'est pas, ou pas entièrement, confiné)."""
    return sandbox_status()
