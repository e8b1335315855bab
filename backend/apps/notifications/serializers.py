"""Sérialiseurs du test Telegram (Mon Compte › « Tester »)."""

from __future__ import annotations

from rest_framework import serializers

from apps.accounts.telegram import CHAT_HELP, CHAT_ID_RE, TOKEN_HELP, TOKEN_RE


class TelegramTestSerializer(serializers.Serializer):
    """Valeurs saisies, pas encore enregistrées ; absentes ou vides = celles du profil."""

    telegram_bot_token = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                               write_only=True, trim_whitespace=False)
    telegram_chat_id = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                             trim_whitespace=False)

    def validate_telegram_bot_token(self, value: str) -> str:
        text = value.strip()
        if text and not TOKEN_RE.fullmatch(text):
            raise serializers.ValidationError(TOKEN_HELP)
        return text

    def validate_telegram_chat_id(self, value: str) -> str:
        text = value.strip()
        if text and not CHAT_ID_RE.fullmatch(text):
            raise serializers.ValidationError(CHAT_HELP)
        return text


class TelegramTestResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    detail = serializers.CharField()
