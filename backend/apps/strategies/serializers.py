from __future__ import annotations

from rest_framework import serializers

from apps.strategies.models import Strategy


class StrategySerializer(serializers.ModelSerializer):
    code = serializers.CharField(required=False, allow_blank=False, trim_whitespace=False,
                                 max_length=200_000)

    class Meta:
        model = Strategy
        fields = ["id", "user", "name", "description", "code", "timeframe", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "user", "created_at", "updated_at"]

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("Le nom ne peut pas être vide.")
        return value


class StrategyValidateSerializer(serializers.Serializer):
    """Corps de `POST /api/strategies/validate/` : le code à vérifier (pas encore enregistré)."""

    code = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=200_000)


class StrategyValidationResultSerializer(serializers.Serializer):
    """Réponse de la validation (documentation OpenAPI)."""

    ok = serializers.BooleanField()
    class_name = serializers.CharField(required=False, allow_null=True)
    results = serializers.DictField(required=False)
    error = serializers.CharField(required=False)
    line = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.CharField(required=False, allow_null=True)
    logs = serializers.CharField(required=False, allow_blank=True)
    duration_ms = serializers.FloatField(required=False)


class StrategySandboxStatusSerializer(serializers.Serializer):
    """État du confinement du code des stratégies sur cette machine (documentation OpenAPI)."""

    level = serializers.ChoiceField(choices=["complet", "partiel", "aucun"])
    message = serializers.CharField()
    platform = serializers.CharField()
    seccomp = serializers.BooleanField()
    landlock_abi = serializers.IntegerField()
    dedicated_uid = serializers.BooleanField()
    verified = serializers.BooleanField()
    problems = serializers.DictField(child=serializers.CharField())
