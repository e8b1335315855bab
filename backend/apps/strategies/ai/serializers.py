"""Entrées/sorties de l'assistant IA (`POST /api/strategies/assist/`, `POST /api/ai/test/`)."""

from __future__ import annotations

from rest_framework import serializers

from apps.core.validators import drf_validate, validate_api_secret, validate_service_base_url
from apps.strategies.ai.prompts import MAX_PROMPT_CHARS


class StrategyAssistSerializer(serializers.Serializer):
    prompt = serializers.CharField(max_length=MAX_PROMPT_CHARS)
    code = serializers.CharField(required=False, default="", allow_blank=True,
                                 trim_whitespace=False, max_length=200_000)


class StrategyAssistResultSerializer(serializers.Serializer):
    """Réponse de l'assistant (documentation OpenAPI)."""

    code = serializers.CharField(allow_null=True, help_text="Code complet proposé (null : aucun)")
    explanation = serializers.CharField(allow_blank=True)
    provider = serializers.ChoiceField(choices=["openrouter", "ollama"])
    model = serializers.CharField()
    validation = serializers.DictField(
        allow_null=True, help_text="Résultat de /api/strategies/validate/ sur le code proposé"
    )


class AiConnectionTestSerializer(serializers.Serializer):
    """Valeurs saisies dans Mon Compte, pas encore enregistrées ; absentes = celles du profil."""

    ai_provider = serializers.ChoiceField(choices=["none", "openrouter", "ollama"], required=False)
    ai_api_key = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                       write_only=True)
    openrouter_model = serializers.CharField(required=False, allow_blank=True, max_length=120)
    ollama_url = serializers.CharField(required=False, allow_blank=True, max_length=200)
    ollama_model = serializers.CharField(required=False, allow_blank=True, max_length=120)

    def validate_ollama_url(self, value: str) -> str:
        return drf_validate(validate_service_base_url, value)

    def validate_ai_api_key(self, value: str) -> str:
        return drf_validate(validate_api_secret, value)


class AiConnectionResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    detail = serializers.CharField()
    provider = serializers.CharField(allow_null=True)
    model = serializers.CharField(allow_null=True)
