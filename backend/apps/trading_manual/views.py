"""API du trading manuel (vues minces : un sélecteur pour le broker, un service par action).

- `POST /api/trading-manual/orders/` : passe un ordre ; 201 + la ligne `Trade` s'il est exécuté ou
  ouvert ; 400 `{"detail", "code": "order_error", "trade"}` s'il est refusé (contrôles ou exchange :
  la tentative est enregistrée avec le statut `error`) ; 502 `{…, "code": "order_unknown"}` si
  son sort est inconnu (réponse perdue, à vérifier sur l'exchange).
- `GET /api/trading-manual/portfolio/?broker=` : solde valorisé en USD(T) et total.
- `GET /api/trading-manual/open-orders/?broker=&symbol=` : ordres ouverts et leur origine dans le
  journal `trades` (`origin`, null pour un ordre passé ailleurs) : protections SL/TP d'une stratégie.
- `POST /api/trading-manual/sync/` `{broker?, symbol?}` : rattrape le journal (lignes `trades` encore
  ouvertes relues sur l'exchange ; en papier, ordres limites croisés exécutés). Les GET n'écrivent
  jamais : la page appelle ce POST à son ouverture, à « Actualiser » et après un ordre, puis relit.

Sans `broker`, le broker par défaut de l'utilisateur. Le broker d'un autre utilisateur : 404.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.trading.models import Trade
from apps.trading.serializers import TradeSerializer
from apps.trading_manual.selectors import manual_broker_get
from apps.trading_manual.serializers import (
    JournalSyncResultSerializer,
    JournalSyncSerializer,
    ManualOrderSerializer,
    OpenOrderSerializer,
    OrderErrorSerializer,
    PortfolioSerializer,
)
from apps.trading_manual.services import (
    manual_journal_sync,
    manual_open_orders_fetch,
    manual_order_place,
    manual_portfolio_fetch,
)

_BROKER = OpenApiParameter("broker", int, description="Broker (sinon le broker par défaut)")
_SYMBOL = OpenApiParameter("symbol", str, description="Symbole (sinon tous), ex. BTC/USDT")
_REFUSED = {Trade.Status.ERROR: (status.HTTP_400_BAD_REQUEST, "order_error"),
            Trade.Status.UNKNOWN: (status.HTTP_502_BAD_GATEWAY, "order_unknown")}


class ManualOrderView(APIView):
    @extend_schema(
        request=ManualOrderSerializer,
        responses={201: TradeSerializer, 400: OrderErrorSerializer, 502: OrderErrorSerializer},
        summary="Passe un ordre manuel (marché ou limite, en quantité ou en montant USD)",
    )
    def post(self, request: Request) -> Response:
        serializer = ManualOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        broker = manual_broker_get(user=request.user, broker_id=data.pop("broker", None))
        trade = manual_order_place(broker=broker, **data)
        body = TradeSerializer(trade).data
        if trade.status in _REFUSED:
            http_status, code = _REFUSED[trade.status]
            detail = trade.error_message or f"Ordre refusé (statut {trade.status})."
            return Response({"detail": detail, "code": code, "trade": body}, status=http_status)
        return Response(body, status=status.HTTP_201_CREATED)


class PortfolioView(APIView):
    @extend_schema(
        parameters=[_BROKER], responses=PortfolioSerializer,
        summary="Portefeuille du broker : quantités, valeur USD par actif et total",
    )
    def get(self, request: Request) -> Response:
        broker = manual_broker_get(user=request.user, broker_id=request.query_params.get("broker"))
        return Response(PortfolioSerializer(manual_portfolio_fetch(broker=broker)).data)


class OpenOrdersView(APIView):
    @extend_schema(
        parameters=[_BROKER, _SYMBOL], responses=OpenOrderSerializer(many=True),
        summary="Ordres ouverts du broker, avec leur origine (protections SL/TP d'une stratégie)",
    )
    def get(self, request: Request) -> Response:
        broker = manual_broker_get(user=request.user, broker_id=request.query_params.get("broker"))
        symbol = (request.query_params.get("symbol") or "").strip()[:40] or None
        orders = manual_open_orders_fetch(broker=broker, symbol=symbol)
        return Response(OpenOrderSerializer(orders, many=True).data)


class JournalSyncView(APIView):
    @extend_schema(
        request=JournalSyncSerializer, responses=JournalSyncResultSerializer,
        summary="Rattrape le journal du broker : ordres exécutés ou annulés depuis, limites papier croisés",
        description=(
            "Les lectures (portefeuille, ordres ouverts, trades) n'écrivent jamais : ce POST relit sur "
            "l'exchange les lignes `trades` encore ouvertes dont l'ordre n'y est plus ouvert (au plus "
            "20 par appel) et, pour un broker papier, exécute d'abord les ordres limites que le prix a "
            "croisés. Le moteur fait de même chaque minute. 429 si trop de rattrapages sont demandés."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = JournalSyncSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        broker = manual_broker_get(user=request.user, broker_id=data.get("broker"))
        result = manual_journal_sync(broker=broker, symbol=(data.get("symbol") or None))
        return Response(JournalSyncResultSerializer(result).data)
