"""API des backtests de l'utilisateur (historique, consultation, suppression)."""

from __future__ import annotations

from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.backtest.models import BacktestResult
from apps.backtest.serializers import BacktestResultSerializer
from apps.core.access import owned


class BacktestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = BacktestResultSerializer

    def get_queryset(self):  # noqa: ANN201
        return owned(BacktestResult.objects.all(), self.request.user)

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        # La liste n'embarque pas les trades ni la courbe d'équité (volumineux).
        qs = self.get_queryset().defer("trades_detail", "equity_curve")
        page = self.paginate_queryset(qs)
        rows = self.get_serializer(page, many=True).data
        for row in rows:
            row.pop("trades_detail", None)
            row.pop("equity_curve", None)
        return self.get_paginated_response(rows)
