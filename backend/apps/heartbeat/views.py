"""API de la page Heartbeat (lecture seule) : état du service, derniers signaux, dernières bougies.

- ``GET /api/heartbeat/status/`` : la ligne ``heartbeat_status`` ;
- ``GET /api/heartbeat/signals/?timeframe=5m&limit=60[&symbol=BTCUSDT]`` : derniers signaux, le plus
  récent en premier ; ``?all=1`` : un objet ``{"1m": [...], …, "4h": [...]}`` ;
- ``GET /api/heartbeat/candles/?symbol=BTCUSDT&timeframe=1m&limit=200`` : dernières bougies
  stockées, dans l'ordre chronologique.

Les heures ``open_time``/``close_time`` sont en millisecondes UTC (comme le message
``heartbeat.signal``), ``sent_at`` en ISO-8601 UTC ; prix et volumes en chaînes décimales.
"""

from __future__ import annotations

import re

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.exceptions import AristobotError
from apps.core.timeframes import TIMEFRAMES
from apps.heartbeat import selectors

_SYMBOL_RE = re.compile(r"^[A-Z0-9]{2,30}$")
_TF_LIST = ", ".join(TIMEFRAMES)


def _timeframe(request: Request, *, default: str | None = None) -> str:
    value = request.query_params.get("timeframe", default)
    if value is None:
        raise AristobotError(f"Paramètre « timeframe » obligatoire ({_TF_LIST}).")
    if value not in TIMEFRAMES:
        raise AristobotError(f"Paramètre « timeframe » invalide : {value!r} (attendu : {_TF_LIST}).")
    return value


def _limit(request: Request, *, default: int, maximum: int) -> int:
    raw = request.query_params.get("limit")
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise AristobotError(f"Paramètre « limit » invalide : entier attendu, reçu {raw!r}.") from None
    if not 1 <= value <= maximum:
        raise AristobotError(f"Paramètre « limit » hors limites : entre 1 et {maximum}.")
    return value


def _symbol(request: Request, *, required: bool) -> str | None:
    raw = request.query_params.get("symbol", "").strip()
    if not raw:
        if required:
            symbols = settings.HEARTBEAT_SYMBOLS
            if not symbols:
                raise AristobotError("Paramètre « symbol » obligatoire.")
            return symbols[0]
        return None
    value = raw.upper().replace("/", "").replace("-", "")
    if not _SYMBOL_RE.match(value):
        raise AristobotError(f"Paramètre « symbol » invalide : {raw!r} (ex. BTCUSDT).")
    return value


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes", "oui")


class HeartbeatStatusView(APIView):
    """État du service Heartbeat (connexion, dernier message, dernier signal, erreur)."""

    @extend_schema(summary="État du service Heartbeat", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(selectors.heartbeat_status_data())


class HeartbeatSignalsView(APIView):
    """Derniers signaux ``heartbeat`` d'une unité de temps (ou des 8 avec ``all=1``)."""

    @extend_schema(
        summary="Derniers signaux du heartbeat",
        parameters=[
            OpenApiParameter("timeframe", OpenApiTypes.STR, enum=list(TIMEFRAMES),
                             description="Unité de temps (obligatoire sans all=1)"),
            OpenApiParameter("limit", OpenApiTypes.INT, description="1 à 500 (défaut 60)"),
            OpenApiParameter("symbol", OpenApiTypes.STR, description="Filtre facultatif"),
            OpenApiParameter("all", OpenApiTypes.BOOL,
                             description="1 : objet {timeframe: [signaux]} pour les 8 unités"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        limit = _limit(request, default=60, maximum=500)
        symbol = _symbol(request, required=False)
        if _flag(request, "all"):
            return Response(selectors.heartbeat_signals_by_timeframe(limit=limit, symbol=symbol))
        timeframe = _timeframe(request)
        return Response(
            selectors.heartbeat_signals_recent(timeframe=timeframe, limit=limit, symbol=symbol)
        )


class HeartbeatCandlesView(APIView):
    """Dernières bougies construites par le heartbeat (``candles_heartbeat``)."""

    @extend_schema(
        summary="Dernières bougies du heartbeat",
        parameters=[
            OpenApiParameter("symbol", OpenApiTypes.STR,
                             description="Défaut : premier symbole de HEARTBEAT_SYMBOLS"),
            OpenApiParameter("timeframe", OpenApiTypes.STR, enum=list(TIMEFRAMES),
                             description="Défaut 1m"),
            OpenApiParameter("limit", OpenApiTypes.INT, description="1 à 1000 (défaut 200)"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        symbol = _symbol(request, required=True)
        assert symbol is not None
        return Response(
            selectors.heartbeat_candles_recent(
                symbol=symbol,
                timeframe=_timeframe(request, default="1m"),
                limit=_limit(request, default=200, maximum=1000),
            )
        )
