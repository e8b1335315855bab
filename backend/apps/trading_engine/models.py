"""Stratégies actives (instances en cours d'exécution) et positions ouvertes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

PRICE = {"max_digits": 30, "decimal_places": 12}


class ActiveStrategy(models.Model):
    """Activation d'une stratégie sur un broker et un symbole pendant une période."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="active_strategies"
    )
    # PROTECT : on ne supprime pas une stratégie ou un broker encore utilisés par une activation
    # (le message d'erreur demande d'arrêter/supprimer l'activation d'abord).
    strategy = models.ForeignKey(
        "strategies.Strategy", on_delete=models.PROTECT, related_name="activations"
    )
    broker = models.ForeignKey(
        "brokers.Broker", on_delete=models.PROTECT, related_name="activations"
    )
    symbol = models.CharField(max_length=40, help_text="Symbole CCXT, ex. BTC/USDT")
    start_date = models.DateTimeField()
    end_date = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "active_strategies"
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["start_date", "end_date"],
                name="active_strategy_live",
                condition=Q(is_active=True),
            )
        ]
        verbose_name_plural = "active strategies"

    def __str__(self) -> str:
        return f"{self.strategy} sur {self.symbol}"


class Position(models.Model):
    """Position ouverte (ou clôturée) par une stratégie active. Une seule ouverte à la fois."""

    class Status(models.TextChoices):
        OPEN = "open", "Ouverte"
        CLOSED = "closed", "Clôturée"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="positions"
    )
    active_strategy = models.ForeignKey(
        ActiveStrategy, on_delete=models.CASCADE, related_name="positions"
    )
    broker = models.ForeignKey("brokers.Broker", on_delete=models.PROTECT, related_name="positions")
    symbol = models.CharField(max_length=40)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    quantity = models.DecimalField(**PRICE)
    entry_price = models.DecimalField(**PRICE)
    entry_cost = models.DecimalField(**PRICE, default=0, help_text="Coût d'entrée frais compris")
    stop_loss_price = models.DecimalField(**PRICE, null=True, blank=True)
    take_profit_price = models.DecimalField(**PRICE, null=True, blank=True)
    protection_mode = models.CharField(
        max_length=10,
        default="watched",
        help_text="exchange : SL/TP posés sur l'exchange ; watched : surveillés par le moteur",
    )
    sl_order_id = models.CharField(max_length=64, blank=True, default="")
    tp_order_id = models.CharField(max_length=64, blank=True, default="")
    order_list_id = models.CharField(max_length=64, blank=True, default="")
    last_price = models.DecimalField(**PRICE, null=True, blank=True)
    unrealized_pnl = models.DecimalField(**PRICE, null=True, blank=True)
    exit_price = models.DecimalField(**PRICE, null=True, blank=True)
    realized_pnl = models.DecimalField(**PRICE, null=True, blank=True)
    exit_reason = models.CharField(max_length=20, blank=True, default="")
    closing_since = models.DateTimeField(
        null=True, blank=True,
        help_text="Clôture en cours (bail) : empêche deux ventes simultanées (moteur, bouton Vendre)",
    )
    entry_trade = models.ForeignKey(
        "trading.Trade", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exit_trade = models.ForeignKey(
        "trading.Trade", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "positions"
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["active_strategy"],
                condition=Q(status="open"),
                name="uniq_open_position_per_active_strategy",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.symbol} @ {self.entry_price} ({self.status})"


class EngineState(models.Model):
    """État du moteur de trading (une seule ligne, id=1) : sert à détecter les signaux manqués."""

    last_signal_at = models.DateTimeField(
        null=True, blank=True, help_text="Clôture de la dernière bougie dont le signal a été traité"
    )
    last_signals = models.JSONField(
        default=dict, blank=True, help_text="Dernier open_time (ms) traité par unité de temps"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    alive_at = models.DateTimeField(null=True, blank=True, help_text="Dernier battement du moteur")
    stopped_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "engine_state"
        verbose_name = "état du moteur de trading"

    def __str__(self) -> str:
        return f"Moteur (dernier signal {self.last_signal_at})"
