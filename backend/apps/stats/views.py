"""API des statistiques et de la barre de statut (lecture seule)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.stats.selectors import status_snapshot


class StatusView(APIView):
    """État affiché par la barre de statut (heartbeat, cohérence, stratégies live, testnet)."""

    @extend_schema(summary="Barre de statut")
    def get(self, request: Request) -> Response:
        return Response(status_snapshot(user=request.user))
