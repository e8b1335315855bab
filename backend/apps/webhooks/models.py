"""Webhooks reçus (TradingView…) et configuration d'entrée par utilisateur."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.fields import EncryptedTextField


class WebhookConfig(models.Model):
    """Jeton d'URL et secret du point d'entrée webhook d'un utilisateur."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_config"
    )
    token = models.CharField(max_length=64, unique=True)
    # Chiffré au repos comme les clés d'API ; montré à son propriétaire sur la page Webhooks.
    secret = EncryptedTextField(blank=True, default="")
    ip_allowlist_enabled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "webhook_configs"


class Webhook(models.Model):
    """Chaque requête reçue, valide ou non, enregistrée avant de répondre."""

    class Status(models.TextChoices):
        REJECTED = "rejected", "Rejeté"
        PENDING = "pending", "En attente"
        PROCESSING = "processing", "En cours"
        DONE = "done", "Exécuté"
        ERROR = "error", "Erreur"
        DUPLICATE = "duplicate", "Doublon"

    # Null quand le jeton est inconnu : la requête est tout de même journalisée.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    source = models.CharField(max_length=80, default="tradingview")
    payload = models.JSONField(null=True, blank=True)
    raw_body = models.TextField(blank=True, default="")
    content_type = models.CharField(max_length=120, blank=True, default="")
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    dedup_key = models.CharField(max_length=128, null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    http_status = models.PositiveSmallIntegerField(default=202)
    processed = models.BooleanField(default=False)
    error_message = models.TextField(blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "webhooks"
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedup_key"],
                condition=Q(dedup_key__isnull=False) & ~Q(status="duplicate"),
                name="uniq_webhook_dedup_key",
            )
        ]
        indexes = [
            models.Index(fields=["user", "-received_at"], name="webhook_user_recent"),
            models.Index(fields=["status"], name="webhook_pending", condition=Q(processed=False)),
        ]

    def __str__(self) -> str:
        return f"Webhook {self.pk} ({self.status})"
