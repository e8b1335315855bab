"""API du Trading BOT : stratégies actives de l'utilisateur."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import OwnedModelViewSet
from apps.trading_engine.models import ActiveStrategy
from apps.trading_engine.serializers import ActiveStrategySerializer
from apps.trading_engine.services import active_strategy_create, active_strategy_update


class ActiveStrategyViewSet(OwnedModelViewSet):
    queryset = ActiveStrategy.objects.select_related("strategy", "broker")
    serializer_class = ActiveStrategySerializer
    pagination_class = None

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        active = active_strategy_create(user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(active).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        active = self.get_object()
        serializer = self.get_serializer(
            active, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        active = active_strategy_update(active=active, **serializer.validated_data)
        return Response(self.get_serializer(active).data)
