from __future__ import annotations

from rest_framework import serializers

from apps.core.models import Trade


class TradeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Trade
        fields = [
            "id", "user", "broker", "exchange", "is_testnet", "source", "role", "strategy",
            "active_strategy", "webhook", "symbol", "side", "order_type", "requested_quantity",
            "requested_quote_amount", "requested_price", "quantity", "price", "cost", "fee",
            "fee_asset", "fee_quote", "status", "client_order_id", "exchange_order_id",
            "error_message", "profit_loss", "profit_loss_pct", "created_at", "executed_at",
        ]
        read_only_fields = fields
