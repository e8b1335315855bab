"""API des brokers de l'utilisateur : CRUD + actions d'exchange (`views_exchange`)."""

from __future__ import annotations

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.brokers.models import Broker
from apps.brokers.serializers import BrokerSerializer
from apps.brokers.services import broker_create, broker_delete, broker_update
from apps.brokers.views_exchange import BrokerExchangeActionsMixin
from apps.core.api import OwnedModelViewSet


class BrokerViewSet(BrokerExchangeActionsMixin, OwnedModelViewSet):
    queryset = Broker.objects.all()
    serializer_class = BrokerSerializer
    pagination_class = None

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        broker = broker_create(user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(broker).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        broker = self.get_object()
        serializer = self.get_serializer(
            broker, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        broker = broker_update(broker=broker, **serializer.validated_data)
        return Response(self.get_serializer(broker).data)

    def destroy(self, request: Request, *args: object, **kwargs: object) -> Response:
        broker_delete(broker=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
