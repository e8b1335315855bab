from __future__ import annotations

from rest_framework import serializers

from apps.trading.models import Trade


class TradeSerializer(serializers.ModelSerializer):
    # Mêmes noms qu'avant dans l'API : l'identifiant de l'origine (simple entier en base).
    broker = serializers.IntegerField(source="broker_id", read_only=True, allow_null=True)
    strategy = serializers.IntegerField(source="strategy_id", read_only=True, allow_null=True)
    active_strategy = serializers.IntegerField(source="active_strategy_id", read_only=True,
                                               allow_null=True)
    webhook = serializers.IntegerField(source="webhook_id", read_only=True, allow_null=True)

    class Meta:
        model = Trade
        fields = [
            "id", "user", "broker", "exchange", "is_testnet", "is_paper", "source", "role", "strategy",
            "active_strategy", "webhook", "symbol", "side", "order_type", "requested_quantity",
            "requested_quote_amount", "requested_price", "quantity", "price", "cost", "fee",
            "fee_asset", "fee_quote", "status", "client_order_id", "exchange_order_id",
            "error_message", "profit_loss", "profit_loss_pct", "created_at", "executed_at",
        ]
        read_only_fields = fields
