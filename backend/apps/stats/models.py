"""Série temporelle des soldes : un relevé par broker et par passage (moteur, commande, bouton).

Un relevé réussi porte le total valorisé en USD(T) et le détail par actif ; un solde illisible
(exchange injoignable, clés refusées) est un relevé **sans total**, avec l'erreur en français :
la courbe montre un trou, jamais un zéro. Volume : un relevé par heure et par broker, soit 8 760
lignes par an et par broker (purgées au-delà de ARISTOBOT_BALANCE_SNAPSHOT_RETENTION_DAYS).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class BalanceSnapshot(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    broker = models.ForeignKey("brokers.Broker", on_delete=models.CASCADE, related_name="+")
    # Instant du passage : le même pour tous les brokers relevés ensemble (totaux à instants communs).
    taken_at = models.DateTimeField()
    total_usd = models.DecimalField(max_digits=30, decimal_places=12, null=True, blank=True)
    # [{asset, free, used, total, usd_price, usd_value}] : montants en texte décimal exact,
    # `usd_*` nuls pour un actif sans prix (non compté dans le total).
    assets = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        db_table = "balance_snapshots"
        ordering = ["taken_at", "broker_id"]
        indexes = [
            models.Index(fields=["user", "taken_at"], name="balance_snap_user_at"),
            models.Index(fields=["taken_at"], name="balance_snap_at"),
        ]
        constraints = [
            # Son index sert aussi la série d'un broker (broker, taken_at).
            models.UniqueConstraint(fields=["broker", "taken_at"], name="uniq_balance_snap_broker_at"),
            # Un total OU une erreur : jamais un zéro à la place d'un solde illisible.
            models.CheckConstraint(
                condition=(Q(total_usd__isnull=False) & Q(error=""))
                | (Q(total_usd__isnull=True) & ~Q(error="")),
                name="balance_snap_total_xor_error",
            ),
        ]

    def __str__(self) -> str:
        value = self.total_usd if self.total_usd is not None else "illisible"
        return f"Solde du broker {self.broker_id} à {self.taken_at:%Y-%m-%d %H:%M} : {value}"
