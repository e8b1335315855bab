"""File d'attente durable des messages Telegram (« outbox »).

Une ligne est écrite après le commit de l'événement (ordre, clôture, erreur de stratégie,
heartbeat, résumé quotidien) quand l'utilisateur a activé Telegram ; le démon du moteur de trading
la vide (`sender.OutboxSender`) avec un débit limité. Ni le jeton du bot ni le chat id n'y sont
copiés : ils sont lus dans le profil au moment de l'envoi.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class TelegramMessage(models.Model):
    class Kind(models.TextChoices):
        ORDER = "order", "Ordre"
        POSITION = "position", "Position clôturée"
        STRATEGY_ERROR = "strategy_error", "Erreur de stratégie"
        HEARTBEAT_DOWN = "heartbeat_down", "Heartbeat en panne"
        HEARTBEAT_UP = "heartbeat_up", "Heartbeat rétabli"
        DAILY_SUMMARY = "daily_summary", "Résumé quotidien"

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "Échec définitif"
        DROPPED = "dropped", "Abandonné (périmé ou Telegram désactivé)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="telegram_messages"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    # Clé de dé-duplication (par utilisateur) : un événement ne part qu'une fois.
    dedup_key = models.CharField(max_length=160, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        db_table = "telegram_outbox"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedup_key"], condition=~Q(dedup_key=""),
                                    name="telegram_outbox_dedup"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"),
                         name="telegram_outbox_due"),
            models.Index(fields=["user", "kind", "-created_at"], name="telegram_outbox_user_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.user_id} ({self.status})"
