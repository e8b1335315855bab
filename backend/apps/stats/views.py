"""API des statistiques et de la barre de statut (lectures ; seule écriture : « Relever maintenant »).

Paramètres communs des statistiques : `broker` (id d'un broker de l'utilisateur, sinon 404),
`start`, `end` (dates ISO : une date seule couvre toute la journée, `end` incluse ; une date-heure
`end` est exclusive), `tz` (fuseau IANA des dates seules et des intervalles, défaut UTC).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.numbers import decimal_text
from apps.stats import selectors, services
from apps.stats.serializers import (
    BalanceHistoryQuerySerializer,
    BalanceHistorySerializer,
    BalanceSnapshotsSerializer,
    PnlHistoryQuerySerializer,
    PnlHistorySerializer,
    StatsQuerySerializer,
    StatsSummarySerializer,
    StrategyStatsSerializer,
    SymbolsQuerySerializer,
    SymbolStatsSerializer,
    WebhookSourceStatsSerializer,
    results_of,
)

COMMON_PARAMETERS = [
    OpenApiParameter("broker", OpenApiTypes.STR, description=(
        "Id d'un broker de l'utilisateur, « real » (tous ses comptes réels), « paper » (tous ses "
        "brokers papier) ; absent : tous, réels et papier additionnés")),
    OpenApiParameter("start", OpenApiTypes.STR, description="Début (ISO, inclus)"),
    OpenApiParameter("end", OpenApiTypes.STR, description="Fin (ISO ; date seule : journée incluse)"),
    OpenApiParameter("tz", OpenApiTypes.STR, description="Fuseau IANA des dates seules (défaut UTC)"),
]


class StatusView(APIView):
    """État affiché par la barre de statut (heartbeat, cohérence, stratégies live, testnet)."""

    @extend_schema(summary="Barre de statut", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(selectors.status_snapshot(user=request.user))


class _StatsView(APIView):
    query_serializer = StatsQuerySerializer

    def parse(self, request: Request) -> tuple[StatsQuerySerializer, selectors.StatsFilters]:
        serializer = self.query_serializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer, serializer.filters(user=request.user)


class StatsSummaryView(_StatsView):
    """Totaux (P&L réalisé, trades clôturés, taux de réussite, frais, volume, erreurs) par source."""

    @extend_schema(
        summary="Statistiques : totaux et répartition par source", parameters=COMMON_PARAMETERS,
        responses=StatsSummarySerializer,
    )
    def get(self, request: Request) -> Response:
        _, filters = self.parse(request)
        return Response(selectors.stats_summary(user=request.user, filters=filters))


class StatsStrategiesView(_StatsView):
    @extend_schema(
        summary="Statistiques par stratégie", parameters=COMMON_PARAMETERS,
        responses=results_of(StrategyStatsSerializer, "StrategyStatsList"),
    )
    def get(self, request: Request) -> Response:
        _, filters = self.parse(request)
        return Response({"results": selectors.stats_by_strategy(user=request.user, filters=filters)})


class StatsWebhookSourcesView(_StatsView):
    @extend_schema(
        summary="Statistiques par source de webhook", parameters=COMMON_PARAMETERS,
        responses=results_of(WebhookSourceStatsSerializer, "WebhookSourceStatsList"),
    )
    def get(self, request: Request) -> Response:
        _, filters = self.parse(request)
        return Response(
            {"results": selectors.stats_by_webhook_source(user=request.user, filters=filters)}
        )


class StatsSymbolsView(_StatsView):
    query_serializer = SymbolsQuerySerializer

    @extend_schema(
        summary="Statistiques par symbole (`source=manual` : tableau « Manuel »)",
        parameters=[*COMMON_PARAMETERS, OpenApiParameter("source", OpenApiTypes.STR)],
        responses=results_of(SymbolStatsSerializer, "SymbolStatsList"),
    )
    def get(self, request: Request) -> Response:
        serializer, filters = self.parse(request)
        source = serializer.validated_data.get("source") or None
        return Response(
            {"results": selectors.stats_by_symbol(user=request.user, filters=filters, source=source)}
        )


INTERVAL_PARAMETER = OpenApiParameter("interval", OpenApiTypes.STR, enum=["day", "hour"])


class StatsPnlHistoryView(_StatsView):
    """P&L réalisé cumulé par jour ou par heure (pas le solde du compte : voir balance-history)."""

    query_serializer = PnlHistoryQuerySerializer

    @extend_schema(
        summary="Évolution du P&L réalisé cumulé",
        parameters=[*COMMON_PARAMETERS, INTERVAL_PARAMETER],
        responses=PnlHistorySerializer,
    )
    def get(self, request: Request) -> Response:
        serializer, filters = self.parse(request)
        data = serializer.validated_data
        return Response(
            selectors.stats_pnl_history(
                user=request.user, filters=filters, interval=data["interval"], tz=data["tz"]
            )
        )


class StatsBalanceHistoryView(_StatsView):
    """Solde valorisé en USD(T) relevé par le moteur (toutes les heures) ou à la demande ; un broker
    illisible laisse un trou (`total_usd` nul). Intervalle par défaut : `hour`."""

    query_serializer = BalanceHistoryQuerySerializer

    @extend_schema(
        summary="Évolution globale du solde (relevés)",
        parameters=[*COMMON_PARAMETERS, INTERVAL_PARAMETER],
        responses=BalanceHistorySerializer,
    )
    def get(self, request: Request) -> Response:
        serializer, filters = self.parse(request)
        data = serializer.validated_data
        return Response(
            selectors.stats_balance_history(
                user=request.user, filters=filters, interval=data["interval"], tz=data["tz"]
            )
        )


class BalanceSnapshotsView(APIView):
    """« Relever maintenant » : relève le solde de chacun des brokers de l'utilisateur."""

    @extend_schema(summary="Relever maintenant le solde de ses brokers", request=None,
                   responses={201: BalanceSnapshotsSerializer})
    def post(self, request: Request) -> Response:
        snapshots = services.balance_snapshots_request(user=request.user)
        results = [
            {"broker_id": s.broker_id, "broker_name": s.broker.name, "total_usd": decimal_text(s.total_usd),
             "error": s.error or None}
            for s in snapshots
        ]
        taken_at = snapshots[0].taken_at.isoformat() if snapshots else None
        return Response({"taken_at": taken_at, "results": results}, status=201)
