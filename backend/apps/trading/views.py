"""API en lecture du journal des trades (filtres : source, broker, stratégie active, symbole)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from apps.core.access import owned
from apps.core.exceptions import AristobotError
from apps.trading.models import Trade
from apps.trading.serializers import TradeSerializer

_INT_FILTERS = {"broker": "broker_id", "active_strategy": "active_strategy_id",
                "strategy": "strategy_id", "webhook": "webhook_id"}


class TradeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TradeSerializer

    def get_queryset(self) -> QuerySet[Trade]:
        if getattr(self, "swagger_fake_view", False):  # génération du schéma OpenAPI
            return Trade.objects.none()
        qs = owned(Trade.objects.all(), self.request.user)
        params = self.request.query_params
        for param, field in _INT_FILTERS.items():
            if params.get(param):
                try:
                    qs = qs.filter(**{field: int(params[param])})
                except ValueError:
                    raise AristobotError(f"Filtre « {param} » invalide : entier attendu.") from None
        if params.get("source"):
            if params["source"] not in Trade.Source.values:
                raise AristobotError("Filtre « source » invalide : manual, strategy ou webhook.")
            qs = qs.filter(source=params["source"])
        if params.get("symbol"):
            qs = qs.filter(symbol=params["symbol"].upper())
        return qs
