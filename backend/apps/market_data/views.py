"""API des paires de trading (table partagée) : recherche et pagination."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from rest_framework import viewsets

from apps.market_data.models import MarketSymbol
from apps.market_data.serializers import MarketSymbolSerializer


class MarketSymbolViewSet(viewsets.ReadOnlyModelViewSet):
    """`?exchange=binance&search=btc&quote=USDT&page=1&page_size=50`."""

    serializer_class = MarketSymbolSerializer

    def get_queryset(self) -> QuerySet[MarketSymbol]:
        qs = MarketSymbol.objects.all()
        params = self.request.query_params
        if params.get("exchange"):
            qs = qs.filter(exchange=params["exchange"].lower())
        if params.get("quote"):
            qs = qs.filter(quote=params["quote"].upper())
        if params.get("active") in ("true", "1"):
            qs = qs.filter(active=True)
        search = params.get("search", "").strip().upper().replace("-", "/")
        if search:
            qs = qs.filter(Q(symbol__icontains=search) | Q(exchange_symbol__icontains=search))
        return qs.order_by("symbol")
