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
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core import groups
from apps.core.exception_handler import flatten_errors, validation_detail
from apps.core.ratelimit import SlidingWindowLimiter
from apps.core.unset import UNSET, Unset
from apps.webhooks.messages import MSG_WEBHOOK_LOGGED
from apps.webhooks.models import Webhook, WebhookConfig
from apps.webhooks.payload import WebhookPayloadSerializer, parse_body, payload_redact, raw_redact

logger = logging.getLogger(__name__)

# Adresses publiées par TradingView pour ses webhooks.
TRADINGVIEW_IPS = frozenset({"52.89.214.238", "34.212.75.30", "54.218.53.128", "52.32.178.7"})
HEADERS_OF_INTEREST = ("content-type", "user-agent", "x-forwarded-for", "x-real-ip", "content-length")
WEBHOOKS_GROUP = "webhooks"
MSG_WEBHOOK_PENDING = "webhook.pending"


@dataclass
class ReceiveOutcome:
    webhook: Webhook | None  # None : rien d'enregistré (jeton inconnu, débit dépassé)
    http_status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


# --- Débit et métriques du point d'entrée public ------------------------------------------------
@dataclass
class WebhookMetrics:
    """Compteurs du processus (depuis son démarrage) ; un résumé journalisé au plus chaque minute."""

    unknown_token: int = 0
    rate_limited: int = 0
    since: float = field(default_factory=time.time)
    _pending_unknown: int = 0
    _last_log: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def unknown(self) -> None:
        with self._lock:
            self.unknown_token += 1
            self._pending_unknown += 1
            now = time.monotonic()
            if now - self._last_log < 60:
                return
            count, self._pending_unknown, self._last_log = self._pending_unknown, 0, now
        logger.warning("Webhooks : %d requête(s) vers un jeton inconnu (ignorée(s), rien "
                       "d'enregistré) ; total depuis le démarrage : %d", count, self.unknown_token)

    def limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def snapshot(self) -> dict[str, Any]:
        from datetime import UTC, datetime

        return {"unknown_token": self.unknown_token, "rate_limited": self.rate_limited,
                "since": datetime.fromtimestamp(self.since, UTC).isoformat()}


metrics = WebhookMetrics()
_limiters: dict[str, SlidingWindowLimiter] = {}
_limiters_lock = threading.Lock()


def _limiter(kind: str) -> SlidingWindowLimiter:
    limit = int(getattr(settings, f"ARISTOBOT_WEBHOOK_RATE_PER_{kind.upper()}", 60))
    with _limiters_lock:
        limiter = _limiters.get(kind)
        if limiter is None or limiter.limit != limit:
            limiter = _limiters[kind] = SlidingWindowLimiter(limit, 60.0)
        return limiter


def webhook_rate_check(*, token: str, ip: str | None) -> ReceiveOutcome | None:
    """429 si le jeton ou l'adresse dépasse son débit par minute (rien n'est enregistré)."""
    import math

    waits = [_limiter("ip").hit(f"ip:{ip or '?'}"), _limiter("token").hit(f"token:{token[:64]}")]
    wait = max(waits)
    if not wait:
        return None
    metrics.limited()
    seconds = max(1, math.ceil(wait))
    return ReceiveOutcome(None, 429, {"detail": f"Trop d'alertes reçues : réessayez dans {seconds} s."},
                          {"Retry-After": str(seconds)})


def webhook_metrics() -> dict[str, Any]:
    return metrics.snapshot()


def webhooks_prune(*, now: Any = None) -> int:
    """Efface le corps brut et les en-têtes des webhooks plus vieux que la durée de conservation
    (ARISTOBOT_WEBHOOK_RETENTION_DAYS, 30 jours) ; la ligne du journal reste. Renvoie le nombre."""
    days = int(getattr(settings, "ARISTOBOT_WEBHOOK_RETENTION_DAYS", 30))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return (Webhook.objects.filter(received_at__lt=cutoff).exclude(raw_body="", headers={})
            .update(raw_body="", headers={}))


def webhook_config_get_or_create(*, user: User) -> WebhookConfig:
    """La configuration de l'utilisateur, créée (jeton et secret neufs) à sa première demande."""
    config, _ = WebhookConfig.objects.get_or_create(
        user=user,
        defaults={"token": secrets.token_urlsafe(32), "secret": secrets.token_urlsafe(18)},
    )
    return config


@transaction.atomic
def webhook_config_update(
    *,
    user: User,
    regenerate_token: bool = False,
    regenerate_secret: bool = False,
    ip_allowlist_enabled: bool | Unset = UNSET,
) -> WebhookConfig:
    """Crée la configuration au besoin, puis : nouveau jeton d'URL (l'ancienne URL cesse de
    fonctionner), nouveau secret, liste d'IP TradingView activée ou non."""
    config = WebhookConfig.objects.select_for_update().filter(user=user).first()
    if config is None:
        config = webhook_config_get_or_create(user=user)
    if regenerate_token or regenerate_secret:
        config.token = secrets.token_urlsafe(32)
    if regenerate_secret:
        config.secret = secrets.token_urlsafe(18)
    if isinstance(ip_allowlist_enabled, bool):
        config.ip_allowlist_enabled = ip_allowlist_enabled
    config.save(update_fields=["token", "secret", "ip_allowlist_enabled", "updated_at"])
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
    """Valide, enregistre puis qualifie une requête webhook. Ne passe aucun ordre.

    Jeton inconnu : rien n'est enregistré (compté dans `metrics`). Sinon chaque tentative est
    enregistrée, SANS le secret (ni dans le message, ni dans le corps brut, même faux).
    """
    config = WebhookConfig.objects.select_related("user").filter(token=token).first()
    if config is None:
        metrics.unknown()
        return ReceiveOutcome(None, 404, {"detail": "Jeton de webhook inconnu."})
    ip = client_ip(remote_addr=remote_addr, forwarded_for=headers.get("x-forwarded-for"))
    payload, parse_error = parse_body(raw_body)
    given_secret = payload.get("secret") if payload is not None else None
    given = given_secret if isinstance(given_secret, str) else ""
    webhook = _webhook_row(config=config, payload=payload, raw_body=raw_body, given=given,
                           content_type=content_type, ip=ip, headers=headers)
    refusal = _refusal(config=config, ip=ip, payload=payload, parse_error=parse_error, given=given)
    if refusal is not None:
        return _reject(webhook, *refusal)
    webhook.dedup_key = _dedup_key(webhook.payload, raw_body)  # id sans secret recopié
    return _store_pending(webhook)


def _webhook_row(*, config: WebhookConfig, payload: dict[str, Any] | None, raw_body: bytes,
                 given: str, content_type: str, ip: str | None,
                 headers: dict[str, str]) -> Webhook:
    """La ligne du journal, expurgée : le secret du compte, et un secret faux assez long pour ne
    pas masquer des mots ordinaires (le champ `secret` lui-même est toujours retiré)."""
    known = [config.secret] + ([given] if len(given) >= 6 else [])
    text = raw_body.decode("utf-8", errors="replace")
    return Webhook(
        user=config.user,
        payload=payload_redact(payload, known),
        raw_body=raw_redact(text, payload, known)[:20000],
        content_type=content_type[:120].replace("\x00", ""),
        source_ip=ip,
        headers={k: v[:300] for k, v in headers.items() if k in HEADERS_OF_INTEREST},
        source=str((payload or {}).get("source") or "tradingview")[:80].replace("\x00", ""),
    )


def _refusal(*, config: WebhookConfig, ip: str | None, payload: dict[str, Any] | None,
             parse_error: str, given: str) -> tuple[int, str, dict[str, Any] | None] | None:
    """Pourquoi l'alerte est refusée (statut HTTP, message, erreurs par champ), ou None."""
    if config.ip_allowlist_enabled and ip not in TRADINGVIEW_IPS | set(
        settings.ARISTOBOT_WEBHOOK_EXTRA_IPS
    ):
        return 403, f"Adresse IP non autorisée : {ip}.", None
    if payload is None:
        return 400, parse_error, None
    if config.secret and not hmac.compare_digest(given.encode(), config.secret.encode()):
        return 401, "Secret du webhook invalide ou absent.", None
    serializer = WebhookPayloadSerializer(data=payload)
    if not serializer.is_valid():
        errors = flatten_errors(serializer.errors)
        return 400, validation_detail(errors), errors
    return None


def _reject(webhook: Webhook, status: int, message: str,
            errors: dict[str, Any] | None) -> ReceiveOutcome:
    """Enregistre un refus (le journal de la page Webhooks se met à jour)."""
    webhook.status = Webhook.Status.REJECTED
    webhook.http_status = status
    webhook.processed = True
    webhook.error_message = message
    webhook.save()
    transaction.on_commit(lambda: _notify(webhook))
    body: dict[str, Any] = {"detail": message}
    if errors:
        body["errors"] = errors
    return ReceiveOutcome(webhook, status, body)


def _store_pending(webhook: Webhook) -> ReceiveOutcome:
    """Enregistre l'alerte à exécuter ; une alerte déjà reçue (même clé) devient un doublon."""
    webhook.status = Webhook.Status.PENDING
    webhook.http_status = 202
    try:
        with transaction.atomic():
            webhook.save()
    except IntegrityError:
        original = Webhook.objects.filter(user=webhook.user, dedup_key=webhook.dedup_key).exclude(
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
