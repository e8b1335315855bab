"""Lectures du moteur de trading."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet, Sum

from apps.core.models import Trade
from apps.trading_engine.models import ActiveStrategy, Position


def live_active_strategies(*, now: datetime) -> QuerySet[ActiveStrategy]:
    """Stratégies actives dont la plage de dates contient `now`."""
    return ActiveStrategy.objects.filter(is_active=True, start_date__lte=now, end_date__gte=now)


def open_position_get(*, active: ActiveStrategy) -> Position | None:
    """La position ouverte de la stratégie active (au plus une)."""
    return Position.objects.filter(active_strategy=active, status=Position.Status.OPEN).first()


def recent_trades(*, active: ActiveStrategy, limit: int = 10) -> QuerySet[Trade]:
    """Les derniers ordres (toutes tentatives) de la stratégie active, du plus récent au plus ancien."""
    return Trade.objects.filter(active_strategy=active).order_by("-created_at", "-id")[:limit]


def realized_pnl(*, active: ActiveStrategy) -> Decimal:
    """Somme des P&L réalisés (lignes de sortie) de la stratégie active."""
    total = Trade.objects.filter(active_strategy=active, profit_loss__isnull=False).aggregate(
        total=Sum("profit_loss")
    )["total"]
    return total if total is not None else Decimal(0)
