from rest_framework import serializers

from apps.market_data.models import MarketSymbol


class MarketSymbolSerializer(serializers.ModelSerializer):
    class Meta:
        model = MarketSymbol
        fields = ["id", "exchange", "symbol", "exchange_symbol", "base", "quote", "active",
                  "amount_precision", "price_precision", "min_amount", "min_cost", "updated_at"]
        read_only_fields = fields
