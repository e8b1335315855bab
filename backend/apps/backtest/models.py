"""Résultats de backtest (statistiques, trades simulés, courbe d'équité)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.timeframes import TIMEFRAME_CHOICES

MONEY = {"max_digits": 30, "decimal_places": 12}


class BacktestResult(models.Model):
    ACTIVE_STATUSES = ("pending", "downloading", "running")

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        DOWNLOADING = "downloading", "Téléchargement des bougies"
        RUNNING = "running", "Calcul en cours"
        DONE = "done", "Terminé"
        CANCELLED = "cancelled", "Annulé"
        ERROR = "error", "Erreur"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backtests"
    )
    # Le résultat reste consultable si la stratégie ou le broker sont supprimés
    # (le nom et le code de la stratégie sont copiés au lancement).
    strategy = models.ForeignKey(
        "strategies.Strategy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backtests",
    )
    broker = models.ForeignKey(
        "brokers.Broker", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    strategy_name = models.CharField(max_length=120, blank=True, default="")
    strategy_code = models.TextField(blank=True, default="")
    exchange = models.CharField(max_length=50)
    symbol = models.CharField(max_length=40)
    timeframe = models.CharField(max_length=4, choices=TIMEFRAME_CHOICES)
    start_date = models.DateTimeField()
    end_date = models.DateTimeField()
    initial_amount = models.DecimalField(**MONEY)
    fee_rate = models.DecimalField(max_digits=10, decimal_places=6, default=0.001)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    download_progress = models.FloatField(default=0)
    progress = models.FloatField(default=0)
    error_message = models.TextField(blank=True, default="")
    lookahead_detected = models.BooleanField(default=False)
    final_amount = models.DecimalField(**MONEY, null=True, blank=True)
    total_pnl = models.DecimalField(**MONEY, null=True, blank=True)
    total_pnl_pct = models.FloatField(null=True, blank=True)
    total_trades = models.IntegerField(default=0)
    winning_trades = models.IntegerField(default=0)
    losing_trades = models.IntegerField(default=0)
    win_rate = models.FloatField(null=True, blank=True)
    max_drawdown = models.DecimalField(**MONEY, null=True, blank=True)
    max_drawdown_pct = models.FloatField(null=True, blank=True)
    sharpe_ratio = models.FloatField(null=True, blank=True)
    sortino_ratio = models.FloatField(null=True, blank=True)
    stats = models.JSONField(default=dict, blank=True, help_text="Toutes les statistiques")
    trades_detail = models.JSONField(default=list, blank=True)
    equity_curve = models.JSONField(default=list, blank=True)
    # Valeurs imposées aux paramètres de la stratégie ({} = valeurs du code) : « Appliquer »
    # d'une optimisation.
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Écrit au moins chaque seconde par la tâche qui exécute le backtest : une ligne « active »
    # sans nouvelles (processus arrêté, redémarrage) est passée en erreur.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "backtest_results"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="backtest_user_recent")]

    def __str__(self) -> str:
        return f"Backtest {self.strategy_name} {self.symbol} {self.timeframe}"


class BacktestOptimization(models.Model):
    """Optimisation des paramètres d'une stratégie depuis la page Backtest : une grille de
    backtests sur la même période, calculés en parallèle (`optimize_jobs.py`)."""

    ACTIVE_STATUSES = BacktestResult.ACTIVE_STATUSES
    Status = BacktestResult.Status

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="backtest_optimizations"
    )
    strategy = models.ForeignKey(
        "strategies.Strategy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    broker = models.ForeignKey(
        "brokers.Broker", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    strategy_name = models.CharField(max_length=120, blank=True, default="")
    strategy_code = models.TextField(blank=True, default="")
    exchange = models.CharField(max_length=50)
    symbol = models.CharField(max_length=40)
    timeframe = models.CharField(max_length=4, choices=TIMEFRAME_CHOICES)
    start_date = models.DateTimeField()
    end_date = models.DateTimeField()
    initial_amount = models.DecimalField(**MONEY)
    fee_rate = models.DecimalField(max_digits=10, decimal_places=6, default=0.001)
    grid = models.CharField(max_length=2000, help_text="Grille : fast=5:30:5,slow=20:60:10")
    metric = models.CharField(max_length=40, default="sharpe_ratio")
    max_runs = models.IntegerField(null=True, blank=True)
    test_ratio = models.FloatField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True, help_text="Valeurs fixes hors grille")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    download_progress = models.FloatField(default=0)
    progress = models.FloatField(default=0)
    runs_done = models.IntegerField(default=0)
    runs_total = models.IntegerField(default=0)
    error_message = models.TextField(blank=True, default="")
    result = models.JSONField(null=True, blank=True, help_text="runs, best, grid…")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "backtest_optimizations"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="optimization_user_recent")]

    def __str__(self) -> str:
        return f"Optimisation {self.strategy_name} {self.symbol} {self.timeframe}"
