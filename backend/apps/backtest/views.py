"""API des backtests de l'utilisateur : lancement, suivi, annulation, historique, bougies."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.backtest.models import BacktestResult
from apps.backtest.selectors import (
    DEFAULT_CHART_POINTS,
    LIST_EXCLUDED,
    backtest_chart_candles,
    backtests_list,
    backtests_orphans_show,
    backtests_visible,
)
from apps.backtest.serializers import (
    BacktestCandlesSerializer,
    BacktestCreateSerializer,
    BacktestResultSerializer,
)
from apps.backtest.services import backtest_cancel, backtest_create, backtest_delete
from apps.core.exceptions import AristobotError


class BacktestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = BacktestResultSerializer

    def get_queryset(self):  # noqa: ANN201
        if getattr(self, "swagger_fake_view", False):  # génération du schéma OpenAPI
            return BacktestResult.objects.none()
        return backtests_visible(user=self.request.user)

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        # La liste n'embarque pas les trades ni la courbe d'équité (volumineux).
        page = self.paginate_queryset(backtests_list(user=request.user))
        backtests_orphans_show(page)
        rows = self.get_serializer(page, many=True).data
        for row in rows:
            for name in LIST_EXCLUDED:
                row.pop(name, None)
        return self.get_paginated_response(rows)

    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        backtest = self.get_object()
        backtests_orphans_show([backtest])
        return Response(self.get_serializer(backtest).data)

    @extend_schema(request=BacktestCreateSerializer, responses={201: BacktestResultSerializer},
                   summary="Lance un backtest (téléchargement des bougies puis calcul en arrière-plan)")
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = BacktestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        backtest = backtest_create(
            user=request.user, strategy_id=data["strategy"], broker_id=data["broker"],
            symbol=data["symbol"], timeframe=data["timeframe"], start_date=data["start_date"],
            end_date=data["end_date"], initial_amount=data["initial_amount"],
            fee_rate=data["fee_rate"], params=data.get("params") or None,
        )
        return Response(self.get_serializer(backtest).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        backtest_delete(backtest=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: BacktestResultSerializer},
                   summary="Arrête le téléchargement ou le calcul (statut « annulé »)")
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        backtest = backtest_cancel(backtest=self.get_object())
        return Response(self.get_serializer(backtest).data)

    @extend_schema(
        parameters=[OpenApiParameter("max_points", int, description="nombre maximal de bougies")],
        responses={200: BacktestCandlesSerializer},
        summary="Bougies de la période (regroupées au-delà de max_points)",
    )
    @action(detail=True, methods=["get"])
    def candles(self, request: Request, pk: str | None = None) -> Response:
        backtest = self.get_object()
        try:
            max_points = int(request.query_params.get("max_points", DEFAULT_CHART_POINTS))
        except ValueError:
            raise AristobotError("max_points doit être un entier.") from None
        return Response(backtest_chart_candles(backtest=backtest, max_points=max_points))
