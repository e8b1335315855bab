"""API des webhooks : point d'entrée public TradingView, configuration, journal."""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.exceptions import AristobotError
from apps.webhooks.models import Webhook, WebhookConfig
from apps.webhooks.selectors import webhook_config_get, webhooks_log
from apps.webhooks.serializers import WebhookSerializer
from apps.webhooks.services import (
    TRADINGVIEW_IPS,
    ReceiveOutcome,
    client_ip,
    webhook_config_update,
    webhook_metrics,
    webhook_rate_check,
    webhook_receive,
)

MAX_BODY = 64 * 1024


@csrf_exempt
async def receive(request: HttpRequest, token: str) -> JsonResponse:
    """Point d'entrée public (sans session ni CSRF) : enregistre puis répond en quelques ms.

    Vue asynchrone : l'enregistrement tourne dans un thread du pool (`thread_sensitive=False`), si
    bien que des alertes simultanées ne sont pas sérialisées sur le thread unique des vues
    synchrones de Django sous ASGI.
    """
    if request.method != "POST":  # un navigateur qui ouvre l'URL : réponse JSON, rien d'enregistré
        return _json({"detail": (
            f"Méthode {str(request.method)[:16]} non autorisée : cette URL reçoit les alertes TradingView "
            "en POST (corps JSON ou texte)."
        )}, 405, {"Allow": "POST"})
    headers = {k.lower(): v for k, v in request.headers.items()}
    ip = client_ip(remote_addr=request.META.get("REMOTE_ADDR"),
                   forwarded_for=headers.get("x-forwarded-for"))
    limited = webhook_rate_check(token=token, ip=ip)
    if limited is not None:  # débit dépassé : rien n'est lu ni enregistré
        return _json(limited.body, limited.http_status, limited.headers)
    raw = request.body[: MAX_BODY + 1]
    if len(raw) > MAX_BODY:
        return _json({"detail": "Corps trop volumineux (64 Ko au maximum)."}, 413)
    outcome = await sync_to_async(_receive_in_thread, thread_sensitive=False)(
        token=token,
        raw_body=raw,
        content_type=request.content_type or "",
        remote_addr=request.META.get("REMOTE_ADDR"),
        headers=headers,
    )
    return _json(outcome.body, outcome.http_status, outcome.headers)


def _receive_in_thread(**kwargs: Any) -> ReceiveOutcome:
    """`webhook_receive` dans un thread du pool : la connexion PostgreSQL de ce thread est ouverte
    pour la requête puis fermée (comme une vue synchrone avec CONN_MAX_AGE=0) — aucune connexion
    orpheline laissée au thread, aucune connexion morte réutilisée après un redémarrage de la base."""
    close_old_connections()
    try:
        return webhook_receive(**kwargs)
    finally:
        close_old_connections()


def _json(body: dict, status: int, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    # Pas de ligne « Not Found: /api/webhooks/receive/<jeton>/ » de django.request : le jeton est
    # un secret, et un balayage de jetons inconnus ne doit pas remplir le journal (résumé par
    # minute dans `services.metrics`).
    response._has_been_logged = True
    return response


def _config_payload(request: Request, config: WebhookConfig | None) -> dict:
    # Adresses acceptées quand la liste est active (TradingView + ARISTOBOT_WEBHOOK_EXTRA_IPS).
    allowed_ips = sorted(TRADINGVIEW_IPS | set(settings.ARISTOBOT_WEBHOOK_EXTRA_IPS))
    if config is None:  # pas encore demandée : le premier POST crée jeton et secret
        return {"configured": False, "token": None, "url": None, "secret": None,
                "ip_allowlist_enabled": False, "allowed_ips": allowed_ips, "example_message": None}
    base = settings.ARISTOBOT_PUBLIC_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/")
    return {
        "configured": True,
        "token": config.token,
        "url": f"{base}/api/webhooks/receive/{config.token}/",
        "secret": config.secret,
        "ip_allowlist_enabled": config.ip_allowlist_enabled,
        "allowed_ips": allowed_ips,
        "example_message": json.dumps(
            {
                "secret": config.secret,
                "symbol": "{{ticker}}",
                "action": "{{strategy.order.action}}",
                "amount": 50,
                "price": "{{close}}",
                "source": "tradingview",
                "id": "{{ticker}}-{{timenow}}",
            },
            indent=2,
        ),
    }


class WebhookConfigSerializer(serializers.Serializer):
    """Sans champ : crée la configuration si besoin (jeton et secret neufs) et la renvoie."""

    ip_allowlist_enabled = serializers.BooleanField(required=False)
    regenerate_token = serializers.BooleanField(required=False, default=False)
    regenerate_secret = serializers.BooleanField(required=False, default=False)


class WebhookConfigView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT,
                   summary="URL, jeton et secret du webhook (« configured »: false avant le 1er POST)")
    def get(self, request: Request) -> Response:
        return Response(_config_payload(request, webhook_config_get(user=request.user)))

    @extend_schema(request=WebhookConfigSerializer, responses=OpenApiTypes.OBJECT,
                   summary="Créer la configuration, régénérer le jeton/secret, liste d'IP")
    def post(self, request: Request) -> Response:
        serializer = WebhookConfigSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        config = webhook_config_update(user=request.user, **serializer.validated_data)
        return Response(_config_payload(request, config))


class WebhookLogViewSet(viewsets.ReadOnlyModelViewSet):
    """Journal des webhooks reçus (`?status=pending|done|error|rejected|duplicate`, `?q=` texte).

    Chaque ligne porte `trade_id`, le premier trade passé pour ce webhook (nul sinon).
    """

    serializer_class = WebhookSerializer

    def get_queryset(self) -> QuerySet[Webhook]:
        if getattr(self, "swagger_fake_view", False):  # génération du schéma OpenAPI
            return Webhook.objects.none()
        params = self.request.query_params
        return webhooks_log(user=self.request.user, status=params.get("status") or "",
                            text=params.get("q") or "")


class WebhookMetricsView(APIView):
    """Compteurs du point d'entrée public (administrateurs) : jetons inconnus, débits dépassés."""

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Métriques des webhooks (administrateurs)")
    def get(self, request: Request) -> Response:
        if not request.user.is_staff:
            raise AristobotError("Réservé aux administrateurs.", status_code=403)
        return Response(webhook_metrics())
