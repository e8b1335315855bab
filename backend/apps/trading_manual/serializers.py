"""Entrées et sorties de l'API du trading manuel (messages d'erreur en français)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from apps.core.numbers import number_fr
from apps.trading.models import Trade
from apps.trading.serializers import TradeSerializer

_AMOUNT_LABELS = {"quantity": "Quantité", "quote_amount": "Montant", "price": "Prix"}
_CHOICE_MESSAGES = {
    "side": "Sens d'ordre invalide : « {input} » (buy ou sell attendu).",
    "order_type": "Type d'ordre invalide : « {input} » (market ou limit attendu).",
}


def _decimal_field() -> serializers.DecimalField:
    # 12 décimales : la précision des colonnes de `trades` (aucun arrondi silencieux à l'écriture).
    return serializers.DecimalField(
        max_digits=30, decimal_places=12, required=False, allow_null=True,
        error_messages={
            "invalid": "Nombre attendu.",
            "max_decimal_places": "Au plus {max_decimal_places} décimales.",
            "max_digits": "Nombre trop grand.",
            "max_whole_digits": "Nombre trop grand.",
        },
    )


class ManualOrderSerializer(serializers.Serializer):
    """`{broker?, symbol, side, order_type, quantity | quote_amount, price?}`.

    `broker` absent : le broker par défaut de l'utilisateur. `quantity` est en actif de base,
    `quote_amount` en actif de cotation (USDT) ; exactement l'un des deux.
    """

    broker = serializers.IntegerField(
        required=False, allow_null=True,
        error_messages={"invalid": "Identifiant de broker invalide : entier attendu."},
    )
    symbol = serializers.CharField(
        max_length=40, trim_whitespace=True,
        error_messages=dict.fromkeys(("blank", "required"), "Symbole manquant (ex. BTC/USDT)."),
    )
    side = serializers.ChoiceField(
        choices=Trade.Side.choices, error_messages={"invalid_choice": _CHOICE_MESSAGES["side"]}
    )
    order_type = serializers.ChoiceField(
        choices=[Trade.OrderType.MARKET, Trade.OrderType.LIMIT],
        default=Trade.OrderType.MARKET,
        error_messages={"invalid_choice": _CHOICE_MESSAGES["order_type"]},
    )
    quantity = _decimal_field()
    quote_amount = _decimal_field()
    price = _decimal_field()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):  # « Buy », « MARKET » : tolérés
            data = {**data}
            for key in ("side", "order_type"):
                if isinstance(data.get(key), str):
                    data[key] = data[key].strip().lower()
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        for field, label in _AMOUNT_LABELS.items():
            value: Decimal | None = attrs.get(field)
            if value is not None and value <= 0:
                pronoun, adjective = ("elle", "positive") if field == "quantity" else ("il", "positif")
                errors[field] = [
                    f"{label} invalide : {pronoun} doit être strictement {adjective} "
                    f"(reçu {number_fr(value)})."
                ]
        if (attrs.get("quantity") is None) == (attrs.get("quote_amount") is None) and not errors:
            errors["quantity"] = [
                "Indiquez soit une quantité (actif de base), soit un montant (actif de cotation), "
                "un seul des deux."
            ]
        if attrs.get("order_type") == Trade.OrderType.LIMIT and attrs.get("price") is None:
            errors.setdefault("price", ["Prix limite manquant pour un ordre limite."])
        if errors:
            raise serializers.ValidationError(errors)
        if attrs.get("order_type") == Trade.OrderType.MARKET:
            attrs["price"] = None  # un ordre au marché n'a pas de prix : ignoré
        return attrs


class BalanceRowSerializer(serializers.Serializer):
    asset = serializers.CharField()
    free = serializers.DecimalField(max_digits=40, decimal_places=12, coerce_to_string=False)
    used = serializers.DecimalField(max_digits=40, decimal_places=12, coerce_to_string=False)
    total = serializers.DecimalField(max_digits=40, decimal_places=12, coerce_to_string=False)
    usd_price = serializers.DecimalField(
        max_digits=40, decimal_places=12, coerce_to_string=False, allow_null=True
    )
    usd_value = serializers.DecimalField(
        max_digits=40, decimal_places=12, coerce_to_string=False, allow_null=True
    )


class PortfolioBrokerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    exchange = serializers.CharField()
    is_testnet = serializers.BooleanField()
    is_paper = serializers.BooleanField()
    venue = serializers.CharField(help_text="real, testnet, simulator ou paper")


class PortfolioSerializer(serializers.Serializer):
    """Solde valorisé du broker : actifs non nuls (disponible / bloqué), valeur USD, total."""

    broker = PortfolioBrokerSerializer()
    exchange = serializers.CharField()
    balances = BalanceRowSerializer(many=True)
    total_usd = serializers.DecimalField(max_digits=40, decimal_places=12, coerce_to_string=False)
    fetched_at = serializers.DateTimeField()


class OrderErrorSerializer(serializers.Serializer):
    """Ordre refusé : message français + la tentative enregistrée dans `trades` (statut `error`)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    trade = TradeSerializer()


class OrderOriginSerializer(serializers.Serializer):
    """D'où vient un ordre ouvert (sa ligne `trades`) ; rôle `stop_loss`/`take_profit` = protection."""

    source = serializers.ChoiceField(choices=Trade.Source.choices)
    role = serializers.ChoiceField(choices=Trade.Role.choices)
    order_type = serializers.CharField()
    strategy_id = serializers.IntegerField(allow_null=True)
    strategy_name = serializers.CharField(allow_null=True)
    active_strategy_id = serializers.IntegerField(allow_null=True)
    webhook_id = serializers.IntegerField(allow_null=True)


class OpenOrderSerializer(serializers.Serializer):
    """Un ordre ouvert (vue CCXT compacte) et son origine dans Aristobot (null si inconnue)."""

    id = serializers.CharField()
    client_order_id = serializers.CharField()
    symbol = serializers.CharField()
    side = serializers.CharField()
    type = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    price = serializers.DecimalField(max_digits=40, decimal_places=12, coerce_to_string=False,
                                     allow_null=True)
    amount = serializers.DecimalField(max_digits=40, decimal_places=12, coerce_to_string=False,
                                      allow_null=True)
    filled = serializers.DecimalField(max_digits=40, decimal_places=12, coerce_to_string=False,
                                      allow_null=True)
    remaining = serializers.DecimalField(max_digits=40, decimal_places=12, coerce_to_string=False,
                                         allow_null=True)
    timestamp = serializers.IntegerField(allow_null=True)
    origin = OrderOriginSerializer(allow_null=True)


class JournalSyncSerializer(serializers.Serializer):
    """`{broker?, symbol?}` : broker à rattraper (sinon le broker par défaut), symbole (sinon tous)."""

    broker = serializers.IntegerField(
        required=False, allow_null=True,
        error_messages={"invalid": "Identifiant de broker invalide : entier attendu."},
    )
    symbol = serializers.CharField(
        max_length=40, required=False, allow_blank=True, allow_null=True, trim_whitespace=True,
        error_messages={"max_length": "Symbole trop long (40 caractères au plus)."},
    )


class JournalSyncResultSerializer(serializers.Serializer):
    """Rattrapage fait : nombre de lignes `trades` relues sur l'exchange."""

    broker = serializers.IntegerField()
    synced = serializers.IntegerField(help_text="Lignes `trades` ouvertes relues (exécutées, annulées…)")
    synced_at = serializers.DateTimeField()
