"""Réglages Telegram du profil (`PATCH /api/auth/me/`) : formats vérifiés, messages français.

Le jeton du bot est en écriture seule (chiffré en base, jamais renvoyé : seul son indice masqué
l'est). L'envoi des messages appartient à l'app `notifications`, qui lit ces champs.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from typing import Any

from rest_framework import serializers

from apps.accounts.models import User
from apps.core.crypto import mask_secret
from apps.core.exceptions import AristobotError

# Jeton donné par @BotFather : « <identifiant du bot>:<35 caractères> ».
TOKEN_RE = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{35}")
# Chat : identifiant entier (négatif pour un groupe ou un canal), ou @nom_du_canal public.
CHAT_ID_RE = re.compile(r"-?[1-9]\d{0,19}|@[A-Za-z][A-Za-z0-9_]{3,31}")
TIME_RE = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
TOKEN_HELP = ("Jeton de bot invalide : format « 123456789:ABC… » attendu (chiffres, deux-points, "
              "35 caractères), tel que donné par @BotFather.")
CHAT_HELP = ("Chat id invalide : un nombre entier (ex. 123456789, ou -100… pour un groupe) ou "
             "@nom_du_canal.")


@functools.lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def telegram_profile(user: User) -> dict[str, Any]:
    """Les champs Telegram tels que `GET /api/auth/me/` les montre (jeton masqué)."""
    return {
        "telegram_bot_token_hint": mask_secret(user.telegram_bot_token),
        "telegram_chat_id": user.telegram_chat_id,
        "telegram_enabled": user.telegram_enabled,
        "telegram_summary_time": user.telegram_summary_time,
        "telegram_timezone": user.telegram_timezone,
    }


def _text(value: str, pattern: re.Pattern[str], message: str) -> str:
    text = value.strip()
    if text and not pattern.fullmatch(text):
        raise serializers.ValidationError(message)
    return text


class TelegramPreferencesSerializer(serializers.Serializer):
    """Champs Telegram de `PATCH /api/auth/me/` (hérités par `PreferencesSerializer`)."""

    telegram_bot_token = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                               write_only=True, trim_whitespace=False)
    telegram_chat_id = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                             trim_whitespace=False)
    telegram_enabled = serializers.BooleanField(required=False)
    telegram_summary_time = serializers.CharField(required=False, allow_blank=True, max_length=5)
    telegram_timezone = serializers.CharField(required=False, max_length=64)

    def validate_telegram_bot_token(self, value: str) -> str:
        return _text(value, TOKEN_RE, TOKEN_HELP)

    def validate_telegram_chat_id(self, value: str) -> str:
        return _text(value, CHAT_ID_RE, CHAT_HELP)

    def validate_telegram_summary_time(self, value: str) -> str:
        return _text(value, TIME_RE, "Heure du résumé invalide : HH:MM attendu (ex. 20:00), ou vide.")

    def validate_telegram_timezone(self, value: str) -> str:
        if value not in _zones():
            raise serializers.ValidationError(
                "Fuseau horaire inconnu : nom IANA attendu (ex. Europe/Paris, ou UTC).")
        return value


def telegram_ready_check(user: User) -> None:
    """Telegram ne s'active pas sans jeton ni chat id (la mise à jour est alors annulée)."""
    if user.telegram_enabled and not (user.telegram_bot_token and user.telegram_chat_id):
        raise AristobotError(
            "Telegram ne peut pas être activé sans le jeton du bot et le chat id.",
            errors={"telegram_enabled": ["Renseignez d'abord le jeton du bot et le chat id."]},
        )
