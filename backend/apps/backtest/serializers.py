from rest_framework import serializers

from apps.backtest.models import BacktestResult


class BacktestResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = BacktestResult
        exclude = ["strategy_code"]
        read_only_fields = [f.name for f in BacktestResult._meta.fields]
