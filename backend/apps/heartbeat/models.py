"""Modèles du heartbeat : état du service, bougies agrégées, signaux émis (spec §4.1).

Tables créées à l'origine par l'app `core` (migration `core.0001`) : l'app `heartbeat` en a repris
la définition sans toucher à la base (migrations `core.0003` / `heartbeat.0001`).
"""

from __future__ import annotations

from django.db import models

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
