"""Comptes de brokers (exchanges CCXT) des utilisateurs ; clés API chiffrées au repos.

Un broker « papier » (`is_paper`) n'a pas de compte sur l'exchange : ses soldes (`PaperBalance`)
et ses ordres (`PaperOrder`) vivent ici, exécutés sur les prix publics de l'exchange par le venue
papier (`apps/brokers/paper/`, docs/paper-trading.md).
"""

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
        PAPER = "paper", "Papier"

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
    is_paper = models.BooleanField(
        default=False, help_text="Trading papier : prix publics réels, exécutions simulées, sans clés"
    )
    paper_initial_balances = models.JSONField(
        default=dict, blank=True, help_text="Soldes de départ du broker papier (actif → quantité)"
    )
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
        mode = ", papier" if self.is_paper else ", testnet" if self.is_testnet else ""
        return f"{self.name} ({self.exchange}{mode})"

    @property
    def venue(self) -> str:
        """`paper` pour un broker papier ; `simulator` si Binance est redirigé
        (ARISTOBOT_BINANCE_REST_URL) vers un autre serveur."""
        if self.is_paper:
            return self.Venue.PAPER
        if self.exchange == "binance":
            rest_url = str(settings.ARISTOBOT_BINANCE_REST_URL).rstrip("/")
            if rest_url != BINANCE_OFFICIAL_REST_URL:
                return self.Venue.SIMULATOR
        return self.Venue.TESTNET if self.is_testnet else self.Venue.REAL


AMOUNT = {"max_digits": 30, "decimal_places": 12}


class PaperBalance(models.Model):
    """Solde d'un actif d'un broker papier : disponible et bloqué (ordres limites ouverts)."""

    broker = models.ForeignKey(Broker, on_delete=models.CASCADE, related_name="paper_assets")
    asset = models.CharField(max_length=20)
    free = models.DecimalField(**AMOUNT, default=0)
    locked = models.DecimalField(**AMOUNT, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "paper_balances"
        ordering = ["asset"]
        constraints = [
            models.UniqueConstraint(fields=["broker", "asset"], name="uniq_paper_asset_per_broker"),
            models.CheckConstraint(condition=Q(free__gte=0) & Q(locked__gte=0),
                                   name="paper_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} {self.free} (+{self.locked} bloqué)"


class PaperOrder(models.Model):
    """Un ordre d'un broker papier (au marché : exécuté aussitôt ; limite : ouvert jusqu'au
    croisement du prix ou à l'annulation)."""

    class Status(models.TextChoices):  # statuts unifiés de CCXT
        OPEN = "open", "Ouvert"
        CLOSED = "closed", "Exécuté"
        CANCELED = "canceled", "Annulé"

    broker = models.ForeignKey(Broker, on_delete=models.CASCADE, related_name="paper_orders")
    client_order_id = models.CharField(max_length=64)
    symbol = models.CharField(max_length=40)
    side = models.CharField(max_length=4)
    order_type = models.CharField(max_length=10)
    amount = models.DecimalField(**AMOUNT)
    price = models.DecimalField(**AMOUNT, null=True, blank=True, help_text="Prix limite")
    filled = models.DecimalField(**AMOUNT, default=0)
    average = models.DecimalField(**AMOUNT, null=True, blank=True)
    cost = models.DecimalField(**AMOUNT, default=0)
    fee = models.DecimalField(**AMOUNT, default=0)
    fee_currency = models.CharField(max_length=20, blank=True, default="")
    fee_rate = models.DecimalField(max_digits=12, decimal_places=8, default=0)
    reserved_asset = models.CharField(max_length=20, blank=True, default="")
    reserved = models.DecimalField(**AMOUNT, default=0, help_text="Montant bloqué tant qu'il est ouvert")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    filled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "paper_orders"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["broker", "status", "symbol"], name="paper_order_open")]
        constraints = [
            models.UniqueConstraint(fields=["broker", "client_order_id"],
                                    name="uniq_paper_client_order_id"),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.amount} {self.symbol} ({self.status})"
