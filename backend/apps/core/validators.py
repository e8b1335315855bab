"""Validateurs partagés."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.core.exceptions import ValidationError


@functools.lru_cache(maxsize=1)
def ccxt_exchange_ids() -> frozenset[str]:
    """Identifiants des exchanges connus de CCXT (ex. 'binance')."""
    import ccxt

    return frozenset(ccxt.exchanges)


def validate_ccxt_exchange(value: str) -> None:
    if value not in ccxt_exchange_ids():
        raise ValidationError(
            f"Exchange inconnu de CCXT : « {value} ».", code="unknown_exchange"
        )


def validate_service_base_url(value: str) -> str:
    """URL de base d'un service (Ollama…) : `http(s)://hôte[:port]` et rien d'autre.

    Ni identifiants, ni chemin, ni requête, ni fragment, ni caractère de contrôle : le client
    n'y ajoute que les chemins connus de l'API du service (pas de requête arbitraire vers
    l'intérieur du serveur). Renvoie l'URL normalisée (sans « / » final) ; `ValidationError`
    en français sinon.
    """
    from urllib.parse import urlsplit

    text = value.strip()
    example = "http://hôte:port attendu (ex. http://localhost:11434)"
    if not text:
        return ""
    if len(text) > 200 or any(ord(ch) < 33 or ord(ch) == 127 for ch in text):
        raise ValidationError(f"URL invalide : {example}, 200 caractères au plus, sans espace.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValidationError(f"URL invalide (port ?) : {example}.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"URL invalide : {example}.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError("URL refusée : pas d'identifiants dans l'URL (user:motdepasse@).")
    if parts.path not in ("", "/") or parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ValidationError(f"URL refusée : ni chemin, ni requête, ni fragment — {example}.")
    if port == 0:
        raise ValidationError(f"URL invalide (port 0) : {example}.")
    return f"{parts.scheme}://{parts.netloc}"


def validate_api_secret(value: str) -> str:
    """Clé, secret ou phrase d'API : caractères ASCII imprimables, sans espace ni retour à la
    ligne (une clé collée avec un saut de ligne casserait les en-têtes HTTP)."""
    text = value.strip()
    if any(not (33 <= ord(ch) <= 126) for ch in text):
        raise ValidationError("Clé refusée : caractères ASCII imprimables uniquement, sans espace, "
                              "tabulation ni retour à la ligne (vérifiez le copier-coller).")
    return text


def drf_validate(validator: Callable[[str], str], value: str) -> str:
    """Applique un validateur Django dans un sérialiseur DRF (même message français)."""
    from rest_framework import serializers

    try:
        return validator(value)
    except ValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None
