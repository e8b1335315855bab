"""Données de marché partagées par tous les utilisateurs : bougies historiques et paires."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.timeframes import TIMEFRAME_CHOICES

PRICE = {"max_digits": 30, "decimal_places": 12}


class Candle(models.Model):
    """Bougie OHLCV historique, identifiée par l'exchange (jamais mélangée entre exchanges)."""

    exchange = models.CharField(max_length=50)
    symbol = models.CharField(max_length=40, help_text="Symbole CCXT, ex. BTC/USDT")
    timeframe = models.CharField(max_length=4, choices=TIMEFRAME_CHOICES)
    open_time = models.DateTimeField()
    close_time = models.DateTimeField()
    open_price = models.DecimalField(**PRICE)
    high_price = models.DecimalField(**PRICE)
    low_price = models.DecimalField(**PRICE)
    close_price = models.DecimalField(**PRICE)
    volume = models.DecimalField(**PRICE)

    class Meta:
        db_table = "candles"
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "symbol", "timeframe", "open_time"], name="uniq_candle"
            )
        ]
        # L'index demandé par la spec (symbol, timeframe, close_time, broker/exchange).
        indexes = [
            models.Index(
                fields=["symbol", "timeframe", "close_time", "exchange"], name="candle_lookup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.exchange} {self.symbol} {self.timeframe} {self.open_time:%Y-%m-%d %H:%M}"


class MarketSymbol(models.Model):
    """Paire de trading d'un exchange (table partagée, remplie par « MAJ Paires de trading »)."""

    exchange = models.CharField(max_length=50)
    symbol = models.CharField(max_length=40, help_text="Symbole CCXT, ex. BTC/USDT")
    exchange_symbol = models.CharField(max_length=40, help_text="Identifiant exchange, ex. BTCUSDT")
    base = models.CharField(max_length=20)
    quote = models.CharField(max_length=20)
    market_type = models.CharField(max_length=10, default="spot")
    active = models.BooleanField(default=True)
    amount_precision = models.DecimalField(**PRICE, null=True, blank=True)
    price_precision = models.DecimalField(**PRICE, null=True, blank=True)
    min_amount = models.DecimalField(**PRICE, null=True, blank=True)
    min_cost = models.DecimalField(**PRICE, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "market_symbols"
        ordering = ["exchange", "symbol"]
        constraints = [
            models.UniqueConstraint(fields=["exchange", "symbol"], name="uniq_market_symbol")
        ]
        indexes = [models.Index(fields=["exchange", "quote"], name="market_symbol_quote")]

    def __str__(self) -> str:
        return f"{self.exchange}:{self.symbol}"


class MarketSymbolsJob(models.Model):
    """Chargement des paires d'un exchange en arrière-plan (« MAJ Paires de trading »), avec progression.

    L'état vit en base (plusieurs workers Daphne, redémarrages) ; un seul chargement actif par
    exchange (contrainte partielle).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        ERROR = "error", "Erreur"

    ACTIVE_STATUSES = (Status.PENDING, Status.RUNNING)

    exchange = models.CharField(max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="market_symbols_jobs",
        help_text="Qui a lancé le chargement (reçoit la progression par WebSocket)",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0 à 100 %")
    total = models.PositiveIntegerField(default=0, help_text="Paires reçues de l'exchange")
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    deactivated_count = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=200, blank=True, default="")
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "market_symbols_jobs"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["exchange"],
                condition=Q(status__in=["pending", "running"]),
                name="uniq_active_market_symbols_job",
            )
        ]

    def __str__(self) -> str:
        return f"Paires {self.exchange} : {self.status} {self.progress} %"
