"""Modèles partagés : état du heartbeat, bougies du heartbeat, signaux, alertes, journal des trades."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.timeframes import TIMEFRAME_CHOICES

PRICE = {"max_digits": 30, "decimal_places": 12}


class HeartbeatStatus(models.Model):
    """État du service Heartbeat (une seule ligne, id=1)."""

    is_connected = models.BooleanField(default=False)
    last_heartbeat = models.DateTimeField(null=True, blank=True, help_text="Dernier signal émis")
    last_message_at = models.DateTimeField(null=True, blank=True, help_text="Dernier message reçu")
    symbols = models.JSONField(default=list, blank=True)
    last_error = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "heartbeat_status"
        verbose_name = "état du heartbeat"

    def __str__(self) -> str:
        return f"Heartbeat {'connecté' if self.is_connected else 'déconnecté'}"


class CandleHeartbeat(models.Model):
    """Bougie clôturée construite par le heartbeat à partir du flux Binance."""

    symbol = models.CharField(max_length=30)
    timeframe = models.CharField(max_length=4, choices=TIMEFRAME_CHOICES)
    open_time = models.DateTimeField()
    close_time = models.DateTimeField()
    open_price = models.DecimalField(**PRICE)
    high_price = models.DecimalField(**PRICE)
    low_price = models.DecimalField(**PRICE)
    close_price = models.DecimalField(**PRICE)
    volume = models.DecimalField(**PRICE)
    quote_volume = models.DecimalField(**PRICE, default=0)
    trades_count = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "candles_heartbeat"
        constraints = [
            models.UniqueConstraint(
                fields=["symbol", "timeframe", "open_time"], name="uniq_candle_hb"
            )
        ]
        indexes = [models.Index(fields=["symbol", "timeframe", "-open_time"], name="candle_hb_recent")]

    def __str__(self) -> str:
        return f"{self.symbol} {self.timeframe} {self.open_time:%Y-%m-%d %H:%M}"


class HeartbeatSignal(models.Model):
    """Signal émis sur le groupe `heartbeat` à la clôture d'une bougie."""

    symbol = models.CharField(max_length=30)
    timeframe = models.CharField(max_length=4, choices=TIMEFRAME_CHOICES)
    open_time = models.DateTimeField()
    close_time = models.DateTimeField()
    sent_at = models.DateTimeField()
    backfilled = models.BooleanField(
        default=False, help_text="Bougie reconstruite après une interruption (rattrapage)"
    )

    class Meta:
        db_table = "heartbeat_signals"
        constraints = [
            models.UniqueConstraint(
                fields=["symbol", "timeframe", "open_time"], name="uniq_heartbeat_signal"
            )
        ]
        indexes = [models.Index(fields=["timeframe", "-sent_at"], name="hb_signal_recent")]

    def __str__(self) -> str:
        return f"{self.timeframe} {self.symbol} {self.open_time:%y.%m.%d_%H:%M}"


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


class Trade(models.Model):
    """Journal central : chaque tentative d'ordre (manuel, stratégie, webhook), échecs compris."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Manuel"
        STRATEGY = "strategy", "Stratégie"
        WEBHOOK = "webhook", "Webhook"

    class Side(models.TextChoices):
        BUY = "buy", "Achat"
        SELL = "sell", "Vente"

    class OrderType(models.TextChoices):
        MARKET = "market", "Marché"
        LIMIT = "limit", "Limite"
        STOP_LOSS_LIMIT = "stop_loss_limit", "Stop loss limite"
        TAKE_PROFIT_LIMIT = "take_profit_limit", "Take profit limite"
        OCO = "oco", "OCO"

    class Status(models.TextChoices):
        PENDING = "pending", "En cours d'envoi"
        OPEN = "open", "Ouvert"
        PARTIALLY_FILLED = "partially_filled", "Partiellement exécuté"
        FILLED = "filled", "Exécuté"
        CANCELED = "canceled", "Annulé"
        ERROR = "error", "Erreur"
        UNKNOWN = "unknown", "Inconnu (à vérifier)"

    class Role(models.TextChoices):
        ENTRY = "entry", "Entrée"
        EXIT = "exit", "Sortie"
        STOP_LOSS = "stop_loss", "Stop loss"
        TAKE_PROFIT = "take_profit", "Take profit"
        MANUAL = "manual", "Manuel"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trades"
    )
    # L'historique survit à la suppression d'un broker : on garde le nom de l'exchange.
    broker = models.ForeignKey(
        "brokers.Broker", null=True, blank=True, on_delete=models.SET_NULL, related_name="trades"
    )
    exchange = models.CharField(max_length=50)
    is_testnet = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MANUAL)
    strategy = models.ForeignKey(
        "strategies.Strategy", null=True, blank=True, on_delete=models.SET_NULL, related_name="trades"
    )
    active_strategy = models.ForeignKey(
        "trading_engine.ActiveStrategy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trades",
    )
    webhook = models.ForeignKey(
        "webhooks.Webhook", null=True, blank=True, on_delete=models.SET_NULL, related_name="trades"
    )
    symbol = models.CharField(max_length=40)
    side = models.CharField(max_length=4, choices=Side.choices)
    order_type = models.CharField(max_length=20, choices=OrderType.choices, default=OrderType.MARKET)
    requested_quantity = models.DecimalField(**PRICE, null=True, blank=True)
    requested_quote_amount = models.DecimalField(**PRICE, null=True, blank=True)
    requested_price = models.DecimalField(**PRICE, null=True, blank=True)
    quantity = models.DecimalField(**PRICE, default=0, help_text="Quantité exécutée (base)")
    price = models.DecimalField(**PRICE, null=True, blank=True, help_text="Prix moyen d'exécution")
    cost = models.DecimalField(**PRICE, default=0, help_text="Montant exécuté (cotation)")
    fee = models.DecimalField(**PRICE, default=0)
    fee_asset = models.CharField(max_length=20, blank=True, default="")
    fee_quote = models.DecimalField(**PRICE, default=0, help_text="Frais valorisés en cotation")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    client_order_id = models.CharField(max_length=64, unique=True)
    exchange_order_id = models.CharField(max_length=64, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    profit_loss = models.DecimalField(**PRICE, null=True, blank=True)
    profit_loss_pct = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    raw_response = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "trades"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="trade_user_recent"),
            models.Index(fields=["active_strategy", "-created_at"], name="trade_active_recent"),
            models.Index(fields=["user", "source"], name="trade_user_source"),
            models.Index(fields=["broker", "-created_at"], name="trade_broker_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.quantity} {self.symbol} ({self.status})"
