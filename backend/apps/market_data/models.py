"""Données de marché partagées par tous les utilisateurs : bougies historiques et paires."""

from __future__ import annotations

from django.db import models

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
