"""Lectures du moteur de trading."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from apps.trading_engine.models import ActiveStrategy


def live_active_strategies(*, now: datetime) -> QuerySet[ActiveStrategy]:
    """Stratégies actives dont la plage de dates contient `now`."""
    return ActiveStrategy.objects.filter(is_active=True, start_date__lte=now, end_date__gte=now)
