"""API en lecture du journal des trades (filtres : source, broker, stratégie active, symbole)."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import viewsets

from apps.core.exceptions import AristobotError
from apps.trading.models import Trade
from apps.trading.selectors import trades_list
from apps.trading.serializers import TradeSerializer

_INT_FILTERS = {"broker": "broker_id", "active_strategy": "active_strategy_id",
                "strategy": "strategy_id", "webhook": "webhook_id"}


class TradeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TradeSerializer

    def get_queryset(self) -> QuerySet[Trade]:
        if getattr(self, "swagger_fake_view", False):  # génération du schéma OpenAPI
            return Trade.objects.none()
        params = self.request.query_params
        ids: dict[str, int | None] = {}
        for param, field in _INT_FILTERS.items():
            try:
                ids[field] = int(params[param]) if params.get(param) else None
            except ValueError:
                raise AristobotError(f"Filtre « {param} » invalide : entier attendu.") from None
        source = params.get("source") or ""
        if source and source not in Trade.Source.values:
            raise AristobotError("Filtre « source » invalide : manual, strategy ou webhook.")
        return trades_list(user=self.request.user, source=source,
                           symbol=params.get("symbol") or "", **ids)
