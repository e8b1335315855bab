"""Modèles partagés : alertes (incohérences : heartbeat, moteur)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

PRICE = {"max_digits": 30, "decimal_places": 12}


class Alert(models.Model):
    """Incohérence détectée (trou ou doublon de bougies, signaux manqués, écart de position…)."""

    class Level(models.TextChoices):
        INFO = "info", "Information"
        WARNING = "warning", "Avertissement"
        ERROR = "error", "Erreur"

    kind = models.CharField(max_length=40, help_text="candle_gap, candle_duplicate, missed_signals…")
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.WARNING)
    message = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    symbol = models.CharField(max_length=30, blank=True, default="")
    timeframe = models.CharField(max_length=4, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,  # une alerte propre à un utilisateur disparaît avec lui
        related_name="alerts",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "alerts"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["kind"], name="alert_open_kind", condition=Q(resolved_at=None))
        ]

    def __str__(self) -> str:
        return f"[{self.level}] {self.message}"
