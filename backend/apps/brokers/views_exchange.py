"""Actions « exchange » des brokers : liste des exchanges, vérification des clés, solde, paires,
ticker, ordres ouverts et annulation. Vues minces : un service par action (`apps.brokers.services`).

Les vues sont synchrones (Daphne les exécute dans un thread) ; les services exécutent les appels
CCXT sur la boucle dédiée du processus (voir `apps/core/services/exchange_loop.py`).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.brokers import services
from apps.brokers.models import Broker
from apps.brokers.serializers import BrokerCheckSerializer, OrderCancelSerializer, PaperResetSerializer
from apps.core.access import owned_get
from apps.core.exceptions import AristobotError
from apps.core.services.ccxt_manager import exchanges_list
from apps.market_data.selectors import market_symbols_job_get
from apps.market_data.services import job_payload

_SYMBOL = OpenApiParameter("symbol", str, description="Symbole, ex. BTC/USDT ou BTCUSDT")


def _symbol_param(request: Request, *, required: bool) -> str | None:
    symbol = (request.query_params.get("symbol") or "").strip()
    if required and not symbol:
        raise AristobotError(
            "Paramètre « symbol » manquant (ex. ?symbol=BTC/USDT).",
            errors={"symbol": ["Ce champ est obligatoire."]},
        )
    return symbol or None


class BrokerExchangeActionsMixin:
    """À mélanger dans `BrokerViewSet` (fournit `get_object` restreint à l'utilisateur)."""

    request: Request
    get_object: Any

    @extend_schema(responses=OpenApiTypes.OBJECT,
                   summary="Exchanges CCXT et leurs capacités (sandbox, passphrase)")
    @action(detail=False, methods=["get"], url_path="exchanges")
    def exchanges(self, request: Request) -> Response:
        return Response(exchanges_list())

    @extend_schema(request=BrokerCheckSerializer, responses=OpenApiTypes.OBJECT,
                   summary="Vérifie des clés API (même non enregistrées)")
    @action(detail=False, methods=["post"], url_path="check")
    def check(self, request: Request) -> Response:
        serializer = BrokerCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        broker = None
        if data.get("broker_id") is not None:
            broker = owned_get(Broker.objects.all(), request.user, data["broker_id"], label="Broker")
        credentials = services.broker_credentials_resolve(
            exchange=data.get("exchange", ""),
            api_key=data.get("api_key", ""),
            api_secret=data.get("api_secret", ""),
            password=data.get("password", ""),
            is_testnet=data.get("is_testnet"),
            broker=broker,
        )
        return Response(services.broker_keys_check(credentials=credentials))

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Solde du broker valorisé en USD(T)")
    @action(detail=True, methods=["get"], url_path="balance")
    def balance(self, request: Request, pk: str | None = None) -> Response:
        return Response(services.broker_balance_fetch(broker=self.get_object()))

    @extend_schema(
        request=None,
        responses=PaperResetSerializer,
        summary="Broker papier : remise aux soldes de départ (ordres ouverts annulés)",
        description="409 si une position de stratégie est ouverte sur ce broker ; 400 s'il n'est pas papier.",
    )
    @action(detail=True, methods=["post"], url_path="paper-reset")
    def paper_reset(self, request: Request, pk: str | None = None) -> Response:
        return Response(services.broker_paper_reset(broker=self.get_object()))

    @extend_schema(
        request=None,
        responses=OpenApiTypes.OBJECT,
        summary="MAJ Paires de trading : POST lance (202), GET lit la progression",
        parameters=[OpenApiParameter("job", int, description="Job précis (sinon le plus récent)")],
    )
    @action(detail=True, methods=["get", "post"], url_path="update-pairs")
    def update_pairs(self, request: Request, pk: str | None = None) -> Response:
        broker = self.get_object()
        if request.method == "POST":
            job, started = services.broker_markets_update(broker=broker, user=request.user)
            return Response(
                {"job_id": job.pk, "started": started, "job": job_payload(job)},
                status=status.HTTP_202_ACCEPTED,
            )
        job_id = request.query_params.get("job")
        try:
            wanted = int(job_id) if job_id else None
        except ValueError:
            raise AristobotError("Paramètre « job » invalide : entier attendu.") from None
        job = market_symbols_job_get(exchange_id=broker.exchange, job_id=wanted)
        return Response({"job": job_payload(job) if job else None})

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Dernier prix d'un symbole", parameters=[_SYMBOL])
    @action(detail=True, methods=["get"], url_path="ticker")
    def ticker(self, request: Request, pk: str | None = None) -> Response:
        symbol = _symbol_param(request, required=True)
        return Response(services.broker_ticker_fetch(broker=self.get_object(), symbol=symbol))

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Ordres ouverts (d'un symbole ou de tous)",
                   parameters=[_SYMBOL])
    @action(detail=True, methods=["get"], url_path="open-orders")
    def open_orders(self, request: Request, pk: str | None = None) -> Response:
        symbol = _symbol_param(request, required=False)
        return Response(services.broker_open_orders_fetch(broker=self.get_object(), symbol=symbol))

    @extend_schema(request=OrderCancelSerializer, responses=OpenApiTypes.OBJECT,
                   summary="Annule un ordre ouvert")
    @action(detail=True, methods=["post"], url_path=r"orders/(?P<order_id>[^/]+)/cancel")
    def order_cancel(self, request: Request, pk: str | None = None, order_id: str = "") -> Response:
        broker = self.get_object()
        serializer = OrderCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.broker_order_cancel(
            broker=broker, exchange_order_id=order_id, symbol=serializer.validated_data["symbol"]
        )
        return Response(order)
