"""API des paires de trading (table partagée) : recherche et pagination."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from apps.market_data.models import MarketSymbol
from apps.market_data.selectors import market_symbols_search
from apps.market_data.serializers import MarketSymbolSerializer


class MarketSymbolViewSet(viewsets.ReadOnlyModelViewSet):
    """`?exchange=binance&search=btc&quote=USDT&page=1&page_size=50`."""

    serializer_class = MarketSymbolSerializer

    def get_queryset(self) -> QuerySet[MarketSymbol]:
        params = self.request.query_params
        return market_symbols_search(
            exchange=params.get("exchange", ""), quote=params.get("quote", ""),
            active_only=params.get("active") in ("true", "1"), search=params.get("search", ""))
