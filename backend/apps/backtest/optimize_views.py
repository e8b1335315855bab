"""API des optimisations de paramètres (page Backtest) : lancement, suivi, annulation, historique."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.backtest.models import BacktestOptimization
from apps.backtest.optimize_services import (
    LIST_EXCLUDED,
    optimization_cancel,
    optimization_create,
    optimization_delete,
    optimizations_list,
    optimizations_orphans_show,
    optimizations_visible,
)
from apps.backtest.serializers import OptimizationCreateSerializer, OptimizationSerializer


class OptimizationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = OptimizationSerializer

    def get_queryset(self):  # noqa: ANN201
        if getattr(self, "swagger_fake_view", False):  # génération du schéma OpenAPI
            return BacktestOptimization.objects.none()
        return optimizations_visible(user=self.request.user)

    @extend_schema(summary="Historique des optimisations (sans les runs)")
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        page = self.paginate_queryset(optimizations_list(user=request.user))
        optimizations_orphans_show(page)
        rows = self.get_serializer(page, many=True).data
        for row in rows:
            for name in LIST_EXCLUDED:
                row.pop(name, None)
        return self.get_paginated_response(rows)

    @extend_schema(summary="Une optimisation, avec tous ses runs et le meilleur")
    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        row = self.get_object()
        optimizations_orphans_show([row])
        return Response(self.get_serializer(row).data)

    @extend_schema(request=OptimizationCreateSerializer, responses={201: OptimizationSerializer},
                   summary="Lance une optimisation (grille de backtests en parallèle)")
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = OptimizationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        row = optimization_create(
            user=request.user, strategy_id=data["strategy"], broker_id=data["broker"],
            symbol=data["symbol"], timeframe=data["timeframe"], start_date=data["start_date"],
            end_date=data["end_date"], initial_amount=data["initial_amount"],
            fee_rate=data["fee_rate"], grid=data["grid"], metric=data["metric"],
            max_runs=data.get("max_runs"), test_ratio=data.get("test_ratio"),
            params=data.get("params") or None,
        )
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Supprime une optimisation (arrêtée d'abord si elle tourne)")
    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        optimization_delete(row=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: OptimizationSerializer},
                   summary="Arrête l'optimisation (enfants de calcul tués, statut « annulé »)")
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return Response(self.get_serializer(optimization_cancel(row=self.get_object())).data)
