"""API du Trading BOT : stratégies actives de l'utilisateur."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import OwnedModelViewSet
from apps.trading_engine.models import ActiveStrategy
from apps.trading_engine.serializers import (
    ActiveStrategyDetailSerializer,
    ActiveStrategySerializer,
    PositionSerializer,
    StopSerializer,
)
from apps.trading_engine.services import (
    active_strategy_create,
    active_strategy_resume,
    active_strategy_sell,
    active_strategy_stop,
    active_strategy_suspend,
    active_strategy_update,
)


class ActiveStrategyViewSet(OwnedModelViewSet):
    queryset = ActiveStrategy.objects.select_related("strategy", "broker")
    serializer_class = ActiveStrategySerializer
    pagination_class = None

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        active = active_strategy_create(user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(active).data, status=status.HTTP_201_CREATED)

    def get_serializer_class(self) -> type:
        if self.action in ("retrieve", "stop", "suspend", "resume"):
            return ActiveStrategyDetailSerializer
        if self.action == "sell":
            return PositionSerializer
        return ActiveStrategySerializer

    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        active = self.get_object()
        serializer = self.get_serializer(
            active, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        active = active_strategy_update(active=active, **serializer.validated_data)
        return Response(self.get_serializer(active).data)

    @extend_schema(request=StopSerializer, responses=ActiveStrategyDetailSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request: Request, pk: str | None = None) -> Response:
        """Stop : date de fin au 01.01.2001 et désactivation ; 409 `position_open` sans `confirm`."""
        body = StopSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        active = active_strategy_stop(active=self.get_object(), confirm=body.validated_data["confirm"])
        return Response(self.get_serializer(active).data)

    @extend_schema(request=None, responses=ActiveStrategyDetailSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: str | None = None) -> Response:
        active = active_strategy_suspend(active=self.get_object())
        return Response(self.get_serializer(active).data)

    @extend_schema(request=None, responses=ActiveStrategyDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        active = active_strategy_resume(active=self.get_object())
        return Response(self.get_serializer(active).data)

    @extend_schema(request=None, responses=PositionSerializer)
    @action(detail=True, methods=["post"])
    def sell(self, request: Request, pk: str | None = None) -> Response:
        """Vente au marché de la position ouverte (la stratégie reste active) ; renvoie la position close."""
        position = active_strategy_sell(active=self.get_object())
        return Response(self.get_serializer(position).data)
