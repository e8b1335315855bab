from __future__ import annotations

from rest_framework import serializers

from apps.brokers.models import Broker
from apps.core.api import OwnedPrimaryKeyRelatedField
from apps.strategies.models import Strategy
from apps.trading.serializers import TradeSerializer
from apps.trading_engine.models import ActiveStrategy, Position
from apps.trading_engine.selectors import open_position_get, realized_pnl, recent_trades


class PositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = [
            "id", "symbol", "status", "quantity", "entry_price", "entry_cost", "stop_loss_price",
            "take_profit_price", "protection_mode", "last_price", "unrealized_pnl", "exit_price",
            "realized_pnl", "exit_reason", "opened_at", "closed_at",
        ]
        read_only_fields = fields


class ActiveStrategySerializer(serializers.ModelSerializer):
    strategy = OwnedPrimaryKeyRelatedField(queryset=Strategy.objects.all())
    broker = OwnedPrimaryKeyRelatedField(queryset=Broker.objects.all())
    strategy_name = serializers.CharField(source="strategy.name", read_only=True)
    timeframe = serializers.CharField(source="strategy.timeframe", read_only=True)
    broker_name = serializers.CharField(source="broker.name", read_only=True)
    broker_is_paper = serializers.BooleanField(source="broker.is_paper", read_only=True)

    class Meta:
        model = ActiveStrategy
        fields = [
            "id", "user", "strategy", "strategy_name", "timeframe", "broker", "broker_name",
            "broker_is_paper", "symbol", "start_date", "end_date", "is_active", "last_run_at", "last_error",
            "created_at", "updated_at",
        ]
        read_only_fields = ["id", "user", "last_run_at", "last_error", "created_at", "updated_at"]

    def validate_symbol(self, value: str) -> str:
        value = value.strip().upper()
        if "/" not in value:
            raise serializers.ValidationError("Symbole attendu au format CCXT, ex. BTC/USDT.")
        return value


class ActiveStrategyDetailSerializer(ActiveStrategySerializer):
    """Détail (page Trading BOT) : position ouverte, 10 derniers trades, P&L réalisé cumulé."""

    position = serializers.SerializerMethodField()
    recent_trades = serializers.SerializerMethodField()
    realized_pnl = serializers.SerializerMethodField()

    class Meta(ActiveStrategySerializer.Meta):
        fields = [*ActiveStrategySerializer.Meta.fields, "position", "recent_trades", "realized_pnl"]

    def get_position(self, active: ActiveStrategy) -> dict | None:
        position = open_position_get(active=active)
        return PositionSerializer(position).data if position else None

    def get_recent_trades(self, active: ActiveStrategy) -> list[dict]:
        return TradeSerializer(recent_trades(active=active), many=True).data

    def get_realized_pnl(self, active: ActiveStrategy) -> str:
        return str(realized_pnl(active=active))


class StopSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(default=False)
