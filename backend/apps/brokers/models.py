"""Comptes de brokers (exchanges CCXT) des utilisateurs ; clés API chiffrées au repos."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.fields import EncryptedTextField
from apps.core.services.ccxt_manager import BINANCE_OFFICIAL_REST_URL
from apps.core.validators import validate_ccxt_exchange


class Broker(models.Model):
    class Venue(models.TextChoices):
        """Où partent les ordres de ce broker (lu, jamais stocké : dépend de la configuration)."""

        REAL = "real", "Compte réel"
        TESTNET = "testnet", "Testnet"
        SIMULATOR = "simulator", "Simulateur local"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brokers"
    )
    name = models.CharField(max_length=80)
    exchange = models.CharField(max_length=50, validators=[validate_ccxt_exchange])
    api_key = EncryptedTextField(blank=True, default="")
    api_secret = EncryptedTextField(blank=True, default="")
    password = EncryptedTextField(blank=True, default="", help_text="Passphrase (certains exchanges)")
    is_default = models.BooleanField(default=False)
    is_testnet = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "brokers"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="uniq_broker_name_per_user"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="uniq_default_broker_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.exchange}{', testnet' if self.is_testnet else ''})"

    @property
    def venue(self) -> str:
        """`simulator` si Binance est redirigé (ARISTOBOT_BINANCE_REST_URL) vers un autre serveur."""
        if self.exchange == "binance":
            rest_url = str(settings.ARISTOBOT_BINANCE_REST_URL).rstrip("/")
            if rest_url != BINANCE_OFFICIAL_REST_URL:
                return self.Venue.SIMULATOR
        return self.Venue.TESTNET if self.is_testnet else self.Venue.REAL
