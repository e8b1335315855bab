"""Sérialiseurs des brokers : les clés ne sortent jamais, seul un indice masqué est renvoyé."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.brokers.models import Broker
from apps.core.crypto import mask_secret
from apps.core.validators import ccxt_exchange_ids, drf_validate, validate_api_secret


class ApiKeysMixin:
    """Clés, secret et phrase d'API : ASCII imprimable sans espace ni saut de ligne (400 sinon)."""

    def validate_api_key(self, value: str) -> str:
        return drf_validate(validate_api_secret, value)

    def validate_api_secret(self, value: str) -> str:
        return drf_validate(validate_api_secret, value)

    def validate_password(self, value: str) -> str:
        return drf_validate(validate_api_secret, value)


class BrokerSerializer(ApiKeysMixin, serializers.ModelSerializer):
    api_key = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=512)
    api_secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=512
    )
    password = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=512)
    api_key_hint = serializers.SerializerMethodField()
    api_secret_hint = serializers.SerializerMethodField()
    has_password = serializers.SerializerMethodField()
    venue = serializers.CharField(read_only=True, help_text="real, testnet ou simulator")

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
        if self.instance is None:
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
