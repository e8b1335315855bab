from __future__ import annotations

from rest_framework import serializers

from apps.strategies.models import Strategy
from apps.strategies.templates import STRATEGY_TEMPLATE


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


class StrategyTemplateSerializer(serializers.Serializer):
    code = serializers.CharField(default=STRATEGY_TEMPLATE)
