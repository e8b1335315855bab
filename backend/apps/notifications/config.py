"""Réglages des notifications Telegram (valeurs par défaut, surchargées par les réglages Django)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class NotificationsConfig:
    """`from_settings()` lit les réglages `ARISTOBOT_NOTIFICATIONS_<NOM>` s'ils existent."""

    poll_s: float = 1.0  # relecture de la file
    batch: int = 50  # messages lus par passage
    per_chat_interval_s: float = 1.0  # Telegram : environ un message par seconde et par chat
    global_per_s: int = 25  # et une trentaine par seconde au total
    max_attempts: int = 8  # erreurs réseau ou 5xx avant l'abandon (un 429 ne compte pas)
    backoff_initial_s: float = 2.0
    backoff_max_s: float = 300.0
    max_age_s: float = 6 * 3600.0  # un message plus vieux n'est plus envoyé (périmé)
    retention_days: int = 7  # lignes envoyées / abandonnées gardées ce nombre de jours
    heartbeat_down_s: float = 120.0  # heartbeat en panne ou incohérent depuis ce délai → message
    heartbeat_stale_s: float = 90.0  # sans message du flux depuis ce délai : en panne (barre de statut)
    heartbeat_check_s: float = 15.0
    summary_check_s: float = 30.0

    @classmethod
    def from_settings(cls, **overrides: Any) -> NotificationsConfig:
        values: dict[str, Any] = {}
        for item in fields(cls):
            name = f"ARISTOBOT_NOTIFICATIONS_{item.name.upper()}"
            if hasattr(settings, name):
                values[item.name] = getattr(settings, name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
