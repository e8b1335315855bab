"""Lectures agrégées (lecture seule) : l'état affiché par la barre de statut."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from apps.brokers.models import Broker
from apps.core.access import owned
from apps.core.models import Alert
from apps.core.selectors import heartbeat_status_get
from apps.trading_engine.selectors import live_active_strategies

# Au-delà de ce délai sans message, le heartbeat est considéré inactif même si la ligne dit connecté.
HEARTBEAT_STALE_SECONDS = 90


def status_snapshot(*, user: Any) -> dict[str, Any]:
    """Ce que la barre de statut affiche pour cet utilisateur."""
    hb = heartbeat_status_get()
    now = timezone.now()
    fresh = bool(
        hb.last_message_at and (now - hb.last_message_at).total_seconds() < HEARTBEAT_STALE_SECONDS
    )
    open_alerts = Alert.objects.filter(resolved_at__isnull=True).filter(
        Q(user__isnull=True) | Q(user=user)
    )
    coherence_alerts = open_alerts.filter(kind__in=("candle_gap", "candle_duplicate")).count()
    brokers = owned(Broker.objects.all(), user)
    return {
        "heartbeat": {
            "is_connected": bool(hb.is_connected and fresh),
            "last_heartbeat": hb.last_heartbeat.isoformat() if hb.last_heartbeat else None,
            "last_message_at": hb.last_message_at.isoformat() if hb.last_message_at else None,
        },
        "coherent": coherence_alerts == 0,
        "open_alerts": open_alerts.count(),
        "live_strategies": owned(live_active_strategies(now=now), user).count(),
        "testnet": brokers.filter(is_testnet=True).exists(),
    }
