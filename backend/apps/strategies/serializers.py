from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.strategies.models import Strategy
from apps.strategies.runtime.params import strategy_parameters
from apps.strategies.validity import strategy_validity


class StrategyValiditySerializer(serializers.Serializer):
    """Le code enregistré passe-t-il la validation ? (liste : badge « Invalide » ; activation refusée)"""

    ok = serializers.BooleanField()
    error = serializers.CharField(required=False, allow_null=True)
    line = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.CharField(required=False, allow_null=True)


class StrategyParameterSerializer(serializers.Serializer):
    """Un paramètre : attribut de classe numérique de la stratégie (`fast = 10`)."""

    name = serializers.CharField()
    default = serializers.FloatField(help_text="Valeur dans le code (entier si type = int)")
    type = serializers.ChoiceField(choices=["int", "float"])
    line = serializers.IntegerField()


class StrategySerializer(serializers.ModelSerializer):
    code = serializers.CharField(required=False, allow_blank=False, trim_whitespace=False,
                                 max_length=200_000)
    validation = serializers.SerializerMethodField()
    parameters = serializers.SerializerMethodField()

    class Meta:
        model = Strategy
        fields = ["id", "user", "name", "description", "code", "timeframe", "validation",
                  "parameters", "created_at", "updated_at"]
        read_only_fields = ["id", "user", "created_at", "updated_at"]

    @extend_schema_field(StrategyValiditySerializer)
    def get_validation(self, obj: Strategy) -> dict:
        return strategy_validity(code=obj.code)

    @extend_schema_field(StrategyParameterSerializer(many=True))
    def get_parameters(self, obj: Strategy) -> list[dict]:
        return strategy_parameters(obj.code)

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
    parameters = StrategyParameterSerializer(many=True, required=False)
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
