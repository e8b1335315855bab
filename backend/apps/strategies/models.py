"""Stratégies : le code Python écrit par l'utilisateur (le « modèle »)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.timeframes import TIMEFRAME_CHOICES


class Strategy(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategies"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    code = models.TextField()
    timeframe = models.CharField(max_length=4, choices=TIMEFRAME_CHOICES, default="15m")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "strategies"
        ordering = ["name"]
        verbose_name_plural = "strategies"
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="uniq_strategy_name_per_user")
        ]

    def __str__(self) -> str:
        return self.name
