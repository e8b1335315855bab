"""Validation du corps d'une alerte webhook (TradingView ou autre)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from apps.core.exceptions import AristobotError

QUOTE_SUFFIXES = ("USDT", "USDC", "FDUSD", "BUSD", "TUSD", "BTC", "ETH", "BNB", "EUR", "TRY", "DAI")


def normalize_symbol(raw: str) -> str:
    """`BTCUSDT`, `BINANCE:BTCUSDT`, `btc/usdt` ou `BTC-USDT` → `BTC/USDT` (format CCXT)."""
    value = raw.strip().upper()
    if ":" in value:
        value = value.split(":", 1)[1]
    value = value.replace("-", "/").replace("_", "/")
    if value.endswith(".P"):
        value = value[:-2]
    if "/" in value:
        base, quote = value.split("/", 1)
        if base and quote:
            return f"{base}/{quote}"
        raise AristobotError(f"Symbole invalide : « {raw} ».")
    for quote in QUOTE_SUFFIXES:
        if value.endswith(quote) and len(value) > len(quote):
            return f"{value[: -len(quote)]}/{quote}"
    raise AristobotError(
        f"Symbole « {raw} » non reconnu : utilisez BTCUSDT ou BTC/USDT (devise de cotation connue)."
    )


class WebhookPayloadSerializer(serializers.Serializer):
    secret = serializers.CharField(required=False, allow_blank=True, max_length=256)
    symbol = serializers.CharField(max_length=60)
    action = serializers.ChoiceField(
        choices=["buy", "sell", "close"],
        error_messages={"invalid_choice": "Action « {input} » invalide : buy, sell ou close."},
    )
    quantity = serializers.DecimalField(max_digits=30, decimal_places=12, required=False)
    amount = serializers.DecimalField(max_digits=30, decimal_places=12, required=False)
    percent = serializers.DecimalField(max_digits=10, decimal_places=6, required=False)
    broker = serializers.CharField(required=False, allow_blank=True, max_length=80)
    order_type = serializers.ChoiceField(choices=["market", "limit"], default="market")
    price = serializers.DecimalField(max_digits=30, decimal_places=12, required=False)
    sl = serializers.DecimalField(max_digits=10, decimal_places=6, required=False)
    tp = serializers.DecimalField(max_digits=10, decimal_places=6, required=False)
    source = serializers.CharField(required=False, allow_blank=True, max_length=80)
    id = serializers.CharField(required=False, allow_blank=True, max_length=128)

    def validate_symbol(self, value: str) -> str:
        try:
            return normalize_symbol(value)
        except AristobotError as exc:
            raise serializers.ValidationError(exc.message) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        sizes = [k for k in ("quantity", "amount", "percent") if attrs.get(k) is not None]
        if attrs["action"] != "close" and len(sizes) != 1:
            raise serializers.ValidationError(
                "Indiquez exactement une taille : quantity (base), amount (cotation) ou percent."
            )
        for key in sizes:
            if attrs[key] <= 0:
                raise serializers.ValidationError({key: ["Doit être strictement positif."]})
        if attrs.get("percent") is not None and attrs["percent"] > 100:
            raise serializers.ValidationError({"percent": ["Au plus 100 %."]})
        if attrs["order_type"] == "limit" and not attrs.get("price"):
            raise serializers.ValidationError({"price": ["Obligatoire pour un ordre limite."]})
        for key in ("sl", "tp"):
            value = attrs.get(key)
            if value is not None and not (Decimal(0) <= value < Decimal(1)):
                raise serializers.ValidationError(
                    {key: ["Fraction du prix d'entrée attendue (0.02 = 2 %)."]}
                )
        return attrs


def parse_body(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """Décode le corps (JSON en `application/json` ou en `text/plain`) ; renvoie (payload, erreur)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "Corps non décodable en UTF-8."
    if not text.strip():
        return None, "Corps vide : un message JSON est attendu."
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"Corps JSON invalide (ligne {exc.lineno}, colonne {exc.colno}) : {exc.msg}."
    if not isinstance(data, dict):
        return None, "Le message doit être un objet JSON ({…})."
    return data, ""
