"""Sérialiseurs des backtests : résultat (lecture), demande de lancement, bougies du graphique."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.backtest.engine.optimize import MAX_COMBINATIONS, METRICS
from apps.backtest.models import BacktestOptimization, BacktestResult
from apps.core.timeframes import TIMEFRAMES


class BacktestResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = BacktestResult
        exclude = ["strategy_code"]
        read_only_fields = [f.name for f in BacktestResult._meta.fields]


@extend_schema_field(OpenApiTypes.DATETIME)
class MomentField(serializers.Field):
    """Date `AAAA-MM-JJ` (UTC) ou date-heure ISO 8601 ; une date de fin couvre toute la journée."""

    default_error_messages = {
        "invalid": "Date invalide : « {value} » (AAAA-MM-JJ ou ISO 8601).",
        "range": "Date hors limites : « {value} » (années 1970 à 2200).",
    }

    def __init__(self, *, end: bool = False, **kwargs: Any) -> None:
        self.end = end
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dt.datetime:
        if not isinstance(data, str | int | float) or isinstance(data, bool):
            self.fail("invalid", value=type(data).__name__)
        text = str(data).strip()[:64]
        try:
            moment = parse_datetime(text) if "T" in text or " " in text else None
            if moment is None:
                day = parse_date(text) if len(text) == 10 else None
                if day is None:
                    self.fail("invalid", value=text)
                moment = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
                if self.end:
                    moment += dt.timedelta(days=1)  # fin exclusive : le jour indiqué est compris
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            moment = moment.astimezone(dt.UTC)
        except (ValueError, OverflowError):  # 2026-13-45, +25:00, 9999-12-31 + 1 jour…
            self.fail("invalid", value=text)
        if not 1970 <= moment.year <= 2200:
            self.fail("range", value=text)
        return moment

    def to_representation(self, value: dt.datetime) -> str:
        return value.isoformat()


class BacktestCreateSerializer(serializers.Serializer):
    """Corps de `POST /api/backtests/`."""

    strategy = serializers.IntegerField(min_value=1)
    broker = serializers.IntegerField(min_value=1)
    symbol = serializers.CharField(max_length=40)
    timeframe = serializers.ChoiceField(choices=TIMEFRAMES)
    start_date = MomentField()
    end_date = MomentField(end=True)
    initial_amount = serializers.DecimalField(max_digits=30, decimal_places=12,
                                              min_value=Decimal("0.000001"))
    fee_rate = serializers.DecimalField(max_digits=10, decimal_places=6, min_value=Decimal(0),
                                        max_value=Decimal("0.1"), default=Decimal("0.001"))
    params = serializers.DictField(
        required=False, default=dict, allow_empty=True,
        help_text="Valeurs imposées aux paramètres de la stratégie, ex. {\"fast\": 12}")

    def validate_params(self, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 50:
            raise serializers.ValidationError("50 paramètres au plus.")
        return value


class OptimizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = BacktestOptimization
        exclude = ["strategy_code"]
        read_only_fields = [f.name for f in BacktestOptimization._meta.fields]


class OptimizationCreateSerializer(BacktestCreateSerializer):
    """Corps de `POST /api/backtest-optimizations/` : la période du backtest, plus la grille."""

    grid = serializers.CharField(max_length=2000,
                                 help_text="Grille : nom=début:fin:pas (bornes incluses) ou "
                                           "nom=valeur, séparés par des virgules")
    metric = serializers.ChoiceField(choices=METRICS, default="sharpe_ratio",
                                     error_messages={"invalid_choice": "Métrique inconnue : "
                                                                       "« {input} »."})
    max_runs = serializers.IntegerField(min_value=1, max_value=MAX_COMBINATIONS, required=False,
                                        allow_null=True, default=None)
    test_ratio = serializers.FloatField(min_value=0.05, max_value=0.5, required=False,
                                        allow_null=True, default=None)


class BacktestCandlesSerializer(serializers.Serializer):
    """Réponse de `GET /api/backtests/<id>/candles/` (documentation OpenAPI)."""

    timeframe = serializers.CharField()
    bucket_seconds = serializers.IntegerField()
    aggregated = serializers.BooleanField()
    count = serializers.IntegerField()
    candles = serializers.ListField(child=serializers.ListField(), help_text="[t_s, o, h, l, c, v]")
