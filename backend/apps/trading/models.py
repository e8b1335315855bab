"""Le journal des ordres : chaque tentative (manuel, stratégie, webhook), échecs compris.

L'app `trading` possède le chemin unique des ordres (`services/`) : envoi, protection (OCO ou
stop surveillé), recherche d'une réponse perdue, P&L. Table `trades` créée à l'origine par l'app
`core` (migrations `core.0004` / `trading.0001`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

PRICE = {"max_digits": 30, "decimal_places": 12}


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
    # L'historique survit à la suppression d'un broker : son identifiant et l'exchange restent.
    broker_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    exchange = models.CharField(max_length=50)
    is_testnet = models.BooleanField(default=False)
    is_paper = models.BooleanField(default=False, help_text="Ordre d'un broker papier (exécution simulée)")
    source = models.CharField(max_length=10, choices=Source.choices)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MANUAL)
    # Origine de l'ordre : de simples identifiants (pas de clé étrangère vers les fonctionnalités,
    # qui dépendent de cette app et non l'inverse). Le journal garde l'origine même si elle est
    # supprimée ensuite (stratégie, activation, webhook) : l'historique ne se réécrit pas.
    strategy_id = models.BigIntegerField(null=True, blank=True, db_index=True,
                                         help_text="Stratégie à l'origine (source strategy)")
    active_strategy_id = models.BigIntegerField(null=True, blank=True, db_index=True,
                                                help_text="Stratégie active (source strategy)")
    webhook_id = models.BigIntegerField(null=True, blank=True, db_index=True,
                                        help_text="Webhook à l'origine (source webhook)")
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
            models.Index(fields=["active_strategy_id", "-created_at"], name="trade_active_recent"),
            models.Index(fields=["user", "source"], name="trade_user_source"),
            models.Index(fields=["broker_id", "-created_at"], name="trade_broker_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.quantity} {self.symbol} ({self.status})"
