"""Sérialiseurs des brokers : les clés ne sortent jamais, seul un indice masqué est renvoyé."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.brokers.models import Broker
from apps.core.crypto import mask_secret
from apps.core.numbers import number_fr, to_decimal
from apps.core.validators import ccxt_exchange_ids, drf_validate, validate_api_secret


class ApiKeysMixin:
    """Clés, secret et phrase d'API : ASCII imprimable sans espace ni saut de ligne (400 sinon)."""

    def validate_api_key(self, value: str) -> str:
        return drf_validate(validate_api_secret, value)

    def validate_api_secret(self, value: str) -> str:
        return drf_validate(validate_api_secret, value)

    def validate_password(self, value: str) -> str:
        return drf_validate(validate_api_secret, value)


MAX_PAPER_ASSETS = 50
MAX_PAPER_AMOUNT = Decimal("1e15")
_ASSET = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,19}$")


@extend_schema_field({
    "type": "object", "additionalProperties": {"type": "string", "example": "10000"},
    "example": {"USDT": "10000", "BTC": "0.5"},
    "description": "Broker papier : soldes de départ (actif → quantité ≥ 0 ; 10 000 USDT par défaut)",
})
class PaperBalancesField(serializers.Field):
    """Soldes de départ d'un broker papier : `{"USDT": "10000", "BTC": "0.5"}` (texte ou nombre)."""

    def to_internal_value(self, data: Any) -> dict[str, Decimal]:
        if not isinstance(data, dict):
            raise serializers.ValidationError('Objet attendu, ex. {"USDT": "10000"}.')
        if not data or len(data) > MAX_PAPER_ASSETS:
            raise serializers.ValidationError(f"De 1 à {MAX_PAPER_ASSETS} actifs.")
        balances: dict[str, Decimal] = {}
        for raw_asset, raw_amount in data.items():
            asset = str(raw_asset).strip().upper()
            if not _ASSET.match(asset):
                raise serializers.ValidationError(f"Actif invalide : « {str(raw_asset)[:30]} » "
                                                  "(lettres et chiffres, 20 caractères au plus).")
            if asset in balances:
                raise serializers.ValidationError(f"Actif {asset} donné deux fois.")
            balances[asset] = self._amount(asset, raw_amount)
        if not any(balances.values()):
            raise serializers.ValidationError("Au moins un solde de départ doit être positif.")
        return balances

    @staticmethod
    def _amount(asset: str, raw: Any) -> Decimal:
        readable = isinstance(raw, int | float | str) and not isinstance(raw, bool) and len(str(raw)) <= 40
        amount = to_decimal(raw) if readable else None
        if amount is None:
            raise serializers.ValidationError(f"Solde de {asset} invalide : nombre attendu (ex. \"10000\").")
        if amount < 0:
            raise serializers.ValidationError(f"Solde de {asset} négatif : {number_fr(amount)}.")
        if amount > MAX_PAPER_AMOUNT:
            raise serializers.ValidationError(
                f"Solde de {asset} trop grand : {number_fr(MAX_PAPER_AMOUNT)} au plus.")
        return amount.quantize(Decimal("1e-12"), rounding=ROUND_DOWN)

    def to_representation(self, value: Any) -> dict[str, str]:
        return dict(value or {})


class BrokerSerializer(ApiKeysMixin, serializers.ModelSerializer):
    api_key = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=512)
    api_secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=512
    )
    password = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=512)
    api_key_hint = serializers.SerializerMethodField()
    api_secret_hint = serializers.SerializerMethodField()
    has_password = serializers.SerializerMethodField()
    venue = serializers.CharField(read_only=True, help_text="real, testnet, simulator ou paper")
    is_paper = serializers.BooleanField(
        required=False, default=False,
        help_text="Broker papier : prix publics réels, exécutions simulées, sans clés (fixé à la création)",
    )
    paper_balances = PaperBalancesField(required=False, source="paper_initial_balances")

    class Meta:
        model = Broker
        fields = [
            "id",
            "user",
            "name",
            "exchange",
            "api_key",
            "api_secret",
            "password",
            "api_key_hint",
            "api_secret_hint",
            "has_password",
            "is_default",
            "is_testnet",
            "is_paper",
            "paper_balances",
            "venue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "user", "created_at", "updated_at"]

    def get_api_key_hint(self, obj: Broker) -> str:
        return mask_secret(obj.api_key)

    def get_api_secret_hint(self, obj: Broker) -> str:
        return mask_secret(obj.api_secret)

    def get_has_password(self, obj: Broker) -> bool:
        return bool(obj.password)

    def validate_exchange(self, value: str) -> str:
        value = value.strip().lower()
        if value not in ccxt_exchange_ids():
            raise serializers.ValidationError(f"Exchange inconnu de CCXT : « {value} ».")
        return value

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("Le nom ne peut pas être vide.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "is_paper" not in self.initial_data:
            attrs.pop("is_paper", None)  # valeur par défaut d'un PATCH : rien n'a été demandé
        if self.instance is None and not attrs.get("is_paper"):
            missing = [f for f in ("api_key", "api_secret") if not attrs.get(f)]
            if missing:
                raise serializers.ValidationError(
                    {f: ["Ce champ est obligatoire pour un nouveau broker."] for f in missing}
                )
        return attrs


class BrokerCheckSerializer(ApiKeysMixin, serializers.Serializer):
    """Entrée de `POST /api/brokers/check/` : clés non enregistrées (ou celles du broker `broker_id`)."""

    exchange = serializers.CharField(required=False, allow_blank=True, max_length=50)
    api_key = serializers.CharField(required=False, allow_blank=True, max_length=512)
    api_secret = serializers.CharField(required=False, allow_blank=True, max_length=512)
    password = serializers.CharField(required=False, allow_blank=True, max_length=512)
    is_testnet = serializers.BooleanField(required=False, allow_null=True, default=None)
    broker_id = serializers.IntegerField(required=False, allow_null=True)

    def validate_exchange(self, value: str) -> str:
        value = value.strip().lower()
        if value and value not in ccxt_exchange_ids():
            raise serializers.ValidationError(f"Exchange inconnu de CCXT : « {value} ».")
        return value


class OrderCancelSerializer(serializers.Serializer):
    """Entrée de `POST /api/brokers/<id>/orders/<exchange_order_id>/cancel/`."""

    symbol = serializers.CharField(max_length=40)


class PaperResetSerializer(serializers.Serializer):
    """Réponse de `POST /api/brokers/<id>/paper-reset/`."""

    canceled_orders = serializers.ListField(child=serializers.CharField(),
                                            help_text="Ordres ouverts annulés (identifiants papier)")
    paper_balances = serializers.DictField(child=serializers.CharField(),
                                           help_text="Soldes rétablis (actif → quantité)")
