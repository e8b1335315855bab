"""Validation du corps d'une alerte webhook (TradingView ou autre)."""

from __future__ import annotations

import json
import re
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


#: Nombre maximal de chiffres d'un nombre JSON (un prix ou une taille n'en a jamais autant).
MAX_NUMBER_DIGITS = 60
#: Profondeur maximale d'imbrication (une alerte est un objet plat).
MAX_DEPTH = 8


class _BadJson(ValueError):
    """Contenu JSON refusé (message français)."""


def _reject_constant(name: str) -> Any:
    raise _BadJson(f"valeur non finie « {name} » refusée (NaN et Infinity ne sont pas du JSON)")


def _number(kind: type) -> Any:
    def parse(text: str) -> Any:
        if len(text) > MAX_NUMBER_DIGITS:
            raise _BadJson(f"nombre de {len(text)} chiffres refusé (au plus {MAX_NUMBER_DIGITS})")
        return kind(text)

    return parse


def _check_strings(value: Any, depth: int = 0) -> None:
    """Chaînes encodables en UTF-8 (pas de demi-paire de substitution) et sans caractère nul."""
    if depth > MAX_DEPTH:
        raise _BadJson(f"message trop imbriqué (au plus {MAX_DEPTH} niveaux)")
    if isinstance(value, str):
        if "\x00" in value:
            raise _BadJson("caractère nul (\\u0000) refusé")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _BadJson("caractère Unicode invalide (demi-paire de substitution)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, depth + 1)
            _check_strings(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item, depth + 1)


def parse_body(raw: bytes) -> tuple[dict[str, Any] | None, str]:
    """Décode le corps (JSON en `application/json` ou en `text/plain`) ; renvoie (payload, erreur).

    Corps hostiles refusés avec un message français, jamais une exception : UTF-8 invalide,
    caractère nul, NaN/Infinity, nombres démesurés, imbrication profonde, demi-paires Unicode.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "Corps non décodable en UTF-8."
    if not text.strip():
        return None, "Corps vide : un message JSON est attendu."
    if "\x00" in text:
        return None, "Corps refusé : caractère nul (\\u0000) interdit."
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_int=_number(int),
                          parse_float=_number(float))
        _check_strings(data)
    except json.JSONDecodeError as exc:
        return None, f"Corps JSON invalide (ligne {exc.lineno}, colonne {exc.colno}) : {exc.msg}."
    except _BadJson as exc:
        return None, f"Corps JSON refusé : {exc}."
    except (RecursionError, ValueError, OverflowError, MemoryError):
        return None, f"Corps JSON refusé : message trop imbriqué (au plus {MAX_DEPTH} niveaux)."
    if not isinstance(data, dict):
        return None, "Le message doit être un objet JSON ({…})."
    return data, ""


#: `"secret": "…"` (ou un nombre, true/false/null) dans le texte brut d'une alerte.
_SECRET_PAIR = re.compile(
    r'("secret"\s*:\s*)("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)', re.IGNORECASE)
REDACTED = "***"


def _mask(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {_mask(key, secrets): _mask(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item, secrets) for item in value]
    return value


def _usable(secrets: list[str]) -> list[str]:
    """Secrets assez longs pour être cherchés sans masquer tout le texte (du plus long au plus court)."""
    return sorted({s for s in secrets if isinstance(s, str) and len(s) >= 3}, key=len, reverse=True)


def payload_redact(payload: dict[str, Any] | None, secrets: list[str] = ()) -> dict[str, Any] | None:
    """Le message sans son champ `secret` ni aucune occurrence d'un secret connu (tel qu'il est
    enregistré et renvoyé par l'API)."""
    if payload is None:
        return None
    kept = {key: value for key, value in payload.items() if str(key).lower() != "secret"}
    return _mask(kept, _usable(list(secrets)))


def _contains(value: Any, secrets: list[str]) -> bool:
    if isinstance(value, str):
        return any(secret in value for secret in secrets)
    if isinstance(value, dict):
        return any(_contains(k, secrets) or _contains(v, secrets) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains(item, secrets) for item in value)
    return False


def raw_redact(text: str, payload: dict[str, Any] | None, secrets: list[str]) -> str:
    """Le corps brut sans le secret, pour tout enregistrement (même un secret faux).

    Le champ `secret` est masqué dans le texte, puis toute occurrence d'un secret connu (celui
    envoyé, celui du compte), telle quelle ou échappée en JSON ; si le texte masqué se relit
    encore avec un secret (clé ou valeur échappée autrement, `se\\u0063ret`…), c'est le message
    re-sérialisé sans secret qui est gardé.
    """
    usable = _usable(list(secrets))
    text = text.replace("\x00", "\\u0000")
    out = _SECRET_PAIR.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
    for secret in usable:
        for form in {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}:
            out = out.replace(form, REDACTED)
    if payload is not None:
        try:
            again = json.loads(out)
        except ValueError:
            again = None
        if isinstance(again, dict):
            leaked = _contains(payload_redact(again) or {}, usable) or any(
                str(k).lower() == "secret" and v != REDACTED for k, v in again.items())
        else:  # le texte masqué ne se relit plus : on garde la forme sûre
            leaked = True
        if leaked:
            safe = payload_redact(payload, usable) or {}
            if any(str(k).lower() == "secret" for k in payload):
                safe["secret"] = REDACTED
            out = json.dumps(safe, ensure_ascii=False)
    return out
