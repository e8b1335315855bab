"""Lectures du moteur de trading."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import F, QuerySet, Sum

from apps.trading.models import Trade
from apps.trading_engine.models import ActiveStrategy, Position


def live_active_strategies(*, now: datetime) -> QuerySet[ActiveStrategy]:
    """Stratégies actives dont la plage de dates contient `now`."""
    return ActiveStrategy.objects.filter(is_active=True, start_date__lte=now, end_date__gte=now)


def trading_summary_by_user(*, now: datetime | None = None) -> dict[int, dict[str, int]]:
    """Par utilisateur : stratégies live (actives dans leur plage de dates) et positions ouvertes.

    Branché dans `accounts` par le réglage ARISTOBOT_USER_TRADING_SUMMARY (accounts n'importe pas
    le moteur).
    """
    from django.db.models import Count
    from django.utils import timezone

    summary: dict[int, dict[str, int]] = {}
    live = live_active_strategies(now=now or timezone.now()).values("user_id").annotate(n=Count("id"))
    for row in live:
        summary.setdefault(row["user_id"], {"live_strategies": 0, "open_positions": 0})
        summary[row["user_id"]]["live_strategies"] = row["n"]
    positions = (Position.objects.filter(status=Position.Status.OPEN).values("user_id")
                 .annotate(n=Count("id")))
    for row in positions:
        summary.setdefault(row["user_id"], {"live_strategies": 0, "open_positions": 0})
        summary[row["user_id"]]["open_positions"] = row["n"]
    return summary


def open_position_get(*, active: ActiveStrategy) -> Position | None:
    """La position ouverte de la stratégie active (au plus une)."""
    return Position.objects.filter(active_strategy=active, status=Position.Status.OPEN).first()


def recent_trades(*, active: ActiveStrategy, limit: int = 10) -> QuerySet[Trade]:
    """Les derniers ordres (toutes tentatives) de la stratégie active, du plus récent au plus ancien."""
    return Trade.objects.filter(active_strategy_id=active.pk).order_by("-created_at", "-id")[:limit]


def realized_pnl(*, active: ActiveStrategy) -> Decimal:
    """Somme des P&L réalisés (lignes de sortie) de la stratégie active."""
    total = Trade.objects.filter(active_strategy_id=active.pk, profit_loss__isnull=False).aggregate(
        total=Sum("profit_loss")
    )["total"]
    return total if total is not None else Decimal(0)


def open_positions_summary(*, user_id: int) -> list[dict[str, object]]:
    """Positions ouvertes d'un utilisateur pour le résumé Telegram (branché dans les notifications
    par le réglage ARISTOBOT_NOTIFICATIONS_OPEN_POSITIONS : elles n'importent pas le moteur)."""
    return list(Position.objects.filter(user_id=user_id, status=Position.Status.OPEN)
                .order_by("opened_at")
                .values("symbol", "quantity", "entry_price", "last_price", "unrealized_pnl",
                        strategy=F("active_strategy__strategy__name")))
