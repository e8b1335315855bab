"""Lectures partagées du cœur."""

from __future__ import annotations

from apps.core.models import HeartbeatStatus


def heartbeat_status_get() -> HeartbeatStatus:
    """La ligne unique d'état du heartbeat (créée au besoin)."""
    status, _ = HeartbeatStatus.objects.get_or_create(pk=1)
    return status
