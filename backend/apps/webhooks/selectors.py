"""Lectures des webhooks : configuration de l'utilisateur, journal filtré."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from apps.core.access import owned
from apps.core.exceptions import AristobotError
from apps.trading.models import Trade
from apps.webhooks.models import Webhook, WebhookConfig


def webhook_config_get(*, user: Any) -> WebhookConfig | None:
    """La configuration de l'utilisateur ; None tant qu'il n'en a pas demandé (POST)."""
    return WebhookConfig.objects.filter(user=user).first()


def webhooks_log(*, user: Any, status: str = "", text: str = "") -> QuerySet[Webhook]:
    """Journal visible par l'utilisateur ; `trade_id` : le premier trade passé pour chaque ligne.

    `status` : un statut du journal (400 français sinon) ; `text` : recherche dans la source, le
    corps (déjà expurgé), l'erreur, l'IP, ou le numéro exact.
    """
    first_trade = Trade.objects.filter(webhook_id=OuterRef("pk")).order_by("created_at", "pk")
    qs = owned(Webhook.objects.all(), user).annotate(
        trade_id=Subquery(first_trade.values("pk")[:1])
    )
    if status:
        if status not in Webhook.Status.values:
            raise AristobotError(f"Filtre « status » invalide : {status}.")
        qs = qs.filter(status=status)
    text = text.strip()
    if text:
        match = (Q(source__icontains=text) | Q(raw_body__icontains=text)
                 | Q(error_message__icontains=text) | Q(source_ip__icontains=text))
        if text.isascii() and text.isdigit() and len(text) < 18:
            match |= Q(pk=int(text))
        qs = qs.filter(match)
    return qs
