"""Réception des webhooks : tout est enregistré AVANT de répondre, doublons détectés, exécution différée.

L'ordre n'est pas passé ici (la réponse doit partir bien avant les 3 s de TradingView) : la ligne
`webhooks` reste `pending` et le processus qui possède les instances CCXT (le moteur de trading)
l'exécute, y compris après un redémarrage (il relit les webhooks en attente).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.core import groups
from apps.core.exception_handler import flatten_errors, validation_detail
from apps.webhooks.models import Webhook, WebhookConfig
from apps.webhooks.payload import WebhookPayloadSerializer, parse_body

logger = logging.getLogger(__name__)

# Adresses publiées par TradingView pour ses webhooks.
TRADINGVIEW_IPS = frozenset({"52.89.214.238", "34.212.75.30", "54.218.53.128", "52.32.178.7"})
HEADERS_OF_INTEREST = ("content-type", "user-agent", "x-forwarded-for", "x-real-ip", "content-length")
WEBHOOKS_GROUP = "webhooks"
MSG_WEBHOOK_PENDING = "webhook.pending"
MSG_WEBHOOK_LOGGED = "webhook.logged"


@dataclass
class ReceiveOutcome:
    webhook: Webhook
    http_status: int
    body: dict[str, Any]


def webhook_config_get_or_create(*, user: User) -> WebhookConfig:
    config = WebhookConfig.objects.filter(user=user).first()
    if config is None:
        config = WebhookConfig.objects.create(
            user=user, token=secrets.token_urlsafe(32), secret=secrets.token_urlsafe(18)
        )
    return config


@transaction.atomic
def webhook_config_regenerate(*, user: User, secret: bool = False) -> WebhookConfig:
    """Nouveau jeton d'URL (l'ancienne URL cesse de fonctionner) ; nouveau secret si demandé."""
    config = webhook_config_get_or_create(user=user)
    config.token = secrets.token_urlsafe(32)
    if secret:
        config.secret = secrets.token_urlsafe(18)
    config.save(update_fields=["token", "secret", "updated_at"])
    return config


def client_ip(*, remote_addr: str | None, forwarded_for: str | None) -> str | None:
    """Adresse du client ; `X-Forwarded-For` n'est cru que s'il vient d'un proxy de confiance."""
    trusted = set(settings.ARISTOBOT_WEBHOOK_TRUSTED_PROXIES)
    if remote_addr and forwarded_for and remote_addr in trusted:
        candidate = forwarded_for.split(",")[-1].strip()
        try:
            ipaddress.ip_address(candidate)
            return candidate
        except ValueError:
            return remote_addr
    return remote_addr


def _dedup_key(payload: dict[str, Any] | None, raw: bytes) -> str:
    if payload and str(payload.get("id") or "").strip():
        return "id:" + str(payload["id"]).strip()[:120]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _notify(webhook: Webhook) -> None:
    """Après commit : réveille le processeur et met à jour la page Webhooks (au mieux)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        if webhook.status == Webhook.Status.PENDING:
            async_to_sync(layer.group_send)(
                WEBHOOKS_GROUP, {"type": MSG_WEBHOOK_PENDING, "webhook_id": webhook.pk}
            )
        if webhook.user_id:
            async_to_sync(layer.group_send)(
                groups.user_group(webhook.user_id),
                {"type": MSG_WEBHOOK_LOGGED, "webhook_id": webhook.pk, "status": webhook.status},
            )
    except Exception as exc:  # Redis indisponible : la base reste la vérité, le moteur relira.
        logger.warning("Notification du webhook %s impossible (Redis ?) : %s", webhook.pk, exc)


def webhook_receive(
    *,
    token: str,
    raw_body: bytes,
    content_type: str,
    remote_addr: str | None,
    headers: dict[str, str],
) -> ReceiveOutcome:
    """Valide, enregistre puis qualifie une requête webhook. Ne passe aucun ordre."""
    config = WebhookConfig.objects.select_related("user").filter(token=token).first()
    ip = client_ip(remote_addr=remote_addr, forwarded_for=headers.get("x-forwarded-for"))
    payload, parse_error = parse_body(raw_body)
    kept_headers = {k: v for k, v in headers.items() if k in HEADERS_OF_INTEREST}
    webhook = Webhook(
        user=config.user if config else None,
        payload=payload,
        raw_body=raw_body.decode("utf-8", errors="replace")[:20000],
        content_type=content_type[:120],
        source_ip=ip,
        headers=kept_headers,
        source=str((payload or {}).get("source") or "tradingview")[:80],
    )

    def reject(status: int, message: str, errors: dict[str, Any] | None = None) -> ReceiveOutcome:
        webhook.status = Webhook.Status.REJECTED
        webhook.http_status = status
        webhook.processed = True
        webhook.error_message = message
        webhook.save()
        transaction.on_commit(lambda: _notify(webhook))  # le journal de la page Webhooks se met à jour
        body: dict[str, Any] = {"detail": message}
        if errors:
            body["errors"] = errors
        return ReceiveOutcome(webhook, status, body)

    if config is None:
        return reject(404, "Jeton de webhook inconnu.")
    if config.ip_allowlist_enabled and ip not in TRADINGVIEW_IPS | set(
        settings.ARISTOBOT_WEBHOOK_EXTRA_IPS
    ):
        return reject(403, f"Adresse IP non autorisée : {ip}.")
    if payload is None:
        return reject(400, parse_error)
    given_secret = str(payload.get("secret") or "")
    if config.secret and not hmac.compare_digest(given_secret.encode(), config.secret.encode()):
        return reject(401, "Secret du webhook invalide ou absent.")
    serializer = WebhookPayloadSerializer(data=payload)
    if not serializer.is_valid():
        errors = flatten_errors(serializer.errors)
        return reject(400, validation_detail(errors), errors)

    webhook.payload = {k: v for k, v in payload.items() if k != "secret"}
    webhook.dedup_key = _dedup_key(payload, raw_body)
    webhook.status = Webhook.Status.PENDING
    webhook.http_status = 202
    try:
        with transaction.atomic():
            webhook.save()
    except IntegrityError:
        original = Webhook.objects.filter(user=config.user, dedup_key=webhook.dedup_key).exclude(
            status=Webhook.Status.DUPLICATE
        ).first()
        webhook.pk = None
        webhook.status = Webhook.Status.DUPLICATE
        webhook.http_status = 200
        webhook.processed = True
        webhook.error_message = f"Doublon du webhook n° {original.pk if original else '?'} : ignoré."
        webhook.save()
        transaction.on_commit(lambda: _notify(webhook))
        return ReceiveOutcome(
            webhook, 200, {"detail": "Alerte déjà reçue : ignorée (doublon).", "id": webhook.pk,
                           "status": "duplicate"}
        )
    transaction.on_commit(lambda: _notify(webhook))
    return ReceiveOutcome(
        webhook, 202, {"detail": "Alerte reçue : ordre en cours d'exécution.", "id": webhook.pk,
                       "status": "pending"}
    )
