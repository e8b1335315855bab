"""Lectures du journal des trades (manuels, stratégies, webhooks)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from apps.core.access import owned
from apps.trading.models import Trade


def trades_list(
    *,
    user: Any,
    broker_id: int | None = None,
    strategy_id: int | None = None,
    active_strategy_id: int | None = None,
    webhook_id: int | None = None,
    source: str = "",
    symbol: str = "",
) -> QuerySet[Trade]:
    """Les trades visibles par l'utilisateur, filtrés par origine, broker ou symbole."""
    qs = owned(Trade.objects.all(), user)
    origins = {"broker_id": broker_id, "strategy_id": strategy_id,
               "active_strategy_id": active_strategy_id, "webhook_id": webhook_id}
    qs = qs.filter(**{field: value for field, value in origins.items() if value is not None})
    if source:
        qs = qs.filter(source=source)
    if symbol:
        qs = qs.filter(symbol=symbol.upper())
    return qs
