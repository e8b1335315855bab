"""Services du Trading BOT : activer, modifier, arrêter, suspendre (limite de 20 stratégies actives)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.exceptions import AristobotError, LimitReachedError
from apps.trading_engine.models import ActiveStrategy

_ACTIVE_LIMIT_LOCK = 7_301_002
STOP_DATE = datetime(2001, 1, 1, tzinfo=UTC)  # « 01.01.01 » de la spec : bouton Stop


def _check_active_limit(*, exclude_pk: int | None = None) -> None:
    """Verrouille puis vérifie la limite globale de stratégies actives (20)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ACTIVE_LIMIT_LOCK])
    limit = settings.ARISTOBOT_MAX_ACTIVE_STRATEGIES
    live = ActiveStrategy.objects.filter(is_active=True, end_date__gt=timezone.now())
    if exclude_pk is not None:
        live = live.exclude(pk=exclude_pk)
    if live.count() >= limit:
        raise LimitReachedError(
            f"Limite atteinte : au maximum {limit} stratégies actives simultanément. "
            "Arrêtez ou suspendez une stratégie avant d'en activer une autre."
        )


def _validate_dates(start: datetime, end: datetime) -> None:
    if end <= start:
        raise AristobotError(
            "La date de fin doit être postérieure à la date de début.",
            errors={"end_date": ["Doit être après la date de début."]},
        )


@transaction.atomic
def active_strategy_create(*, user: User, **fields: Any) -> ActiveStrategy:
    _validate_dates(fields["start_date"], fields["end_date"])
    if fields["broker"].user_id != fields["strategy"].user_id:
        raise AristobotError("La stratégie et le broker doivent appartenir au même utilisateur.")
    if fields.get("is_active", True):
        _check_active_limit()
    active = ActiveStrategy(user=fields["strategy"].user, **fields)
    active.full_clean()
    active.save()
    return active


@transaction.atomic
def active_strategy_update(*, active: ActiveStrategy, **fields: Any) -> ActiveStrategy:
    for field, value in fields.items():
        setattr(active, field, value)
    _validate_dates(active.start_date, active.end_date)
    if active.is_active and active.end_date > timezone.now():
        _check_active_limit(exclude_pk=active.pk)
    active.full_clean()
    active.save()
    return active
