"""Lectures des notifications : file à envoyer, destinataires, état du heartbeat, bilan du jour."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.module_loading import import_string

from apps.accounts.models import User
from apps.core.models import Alert
from apps.heartbeat.selectors import heartbeat_status_get
from apps.notifications.models import TelegramMessage
from apps.trading.models import Trade

HEARTBEAT_KINDS = (TelegramMessage.Kind.HEARTBEAT_DOWN, TelegramMessage.Kind.HEARTBEAT_UP)
COHERENCE_KINDS = ("candle_gap", "candle_duplicate")  # alertes de la cohérence du heartbeat


def telegram_recipients() -> QuerySet[User]:
    """Utilisateurs actifs dont Telegram est activé et configuré."""
    return (User.objects.filter(is_active=True, telegram_enabled=True)
            .exclude(telegram_chat_id="").order_by("pk"))


def due_messages(*, now: dt.datetime, limit: int) -> list[TelegramMessage]:
    """Messages en attente dont l'heure d'envoi est venue, les plus anciens d'abord."""
    return list(TelegramMessage.objects.filter(status=TelegramMessage.Status.PENDING,
                                               next_attempt_at__lte=now)
                .select_related("user").order_by("created_at", "id")[:limit])


def heartbeat_problem(*, now: dt.datetime, stale_s: float) -> str:
    """Ce qui ne va pas dans le heartbeat (texte français), ou "" s'il est sain — même règle que la
    barre de statut : connecté, un message du flux il y a moins de `stale_s` s, bougies cohérentes."""
    status = heartbeat_status_get()
    problems = []
    if not status.is_connected:
        problems.append("flux Binance déconnecté" + (f" ({status.last_error[:200]})"
                                                     if status.last_error else ""))
    elif status.last_message_at is None or (now - status.last_message_at).total_seconds() >= stale_s:
        problems.append(f"aucun message du flux Binance depuis plus de {stale_s:g} s")
    gaps = Alert.objects.filter(resolved_at__isnull=True, kind__in=COHERENCE_KINDS).count()
    if gaps:
        problems.append(f"{gaps} incohérence(s) de bougies non résolue(s)")
    return " ; ".join(problems)


def heartbeat_alerted_users() -> dict[int, dt.datetime]:
    """Utilisateurs dont le dernier message heartbeat annonce une panne (pas encore le retour),
    avec l'heure de ce message."""
    latest = (TelegramMessage.objects.filter(kind__in=HEARTBEAT_KINDS)
              .order_by("user_id", "-created_at", "-id").distinct("user_id")
              .values_list("user_id", "kind", "created_at"))
    return {user_id: at for user_id, kind, at in latest if kind == TelegramMessage.Kind.HEARTBEAT_DOWN}


def day_stats(*, user_id: int, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Bilan des trades de `[start, end[` (horodatage : exécution, à défaut création, comme les
    Statistiques) : P&L réalisé par devise de cotation, clôtures, ordres exécutés, échecs."""
    trades = (Trade.objects.filter(user_id=user_id).annotate(at=Coalesce("executed_at", "created_at"))
              .filter(at__gte=start, at__lt=end))
    pnl: dict[str, Decimal] = {}
    closed = wins = losses = 0
    for symbol, value in trades.filter(profit_loss__isnull=False).values_list("symbol", "profit_loss"):
        quote = symbol.partition("/")[2].split(":")[0] or "?"
        pnl[quote] = pnl.get(quote, Decimal(0)) + value
        closed, wins, losses = closed + 1, wins + (value > 0), losses + (value < 0)
    counts = trades.aggregate(executed=Count("pk", filter=Q(status=Trade.Status.FILLED)),
                              errors=Count("pk", filter=Q(status=Trade.Status.ERROR)))
    return {"pnl": pnl, "closed": closed, "wins": wins, "losses": losses, **counts}


def open_positions(*, user_id: int) -> list[dict[str, Any]]:
    """Positions ouvertes de l'utilisateur, fournies par le moteur de trading par le réglage
    `ARISTOBOT_NOTIFICATIONS_OPEN_POSITIONS` (les notifications n'importent pas le moteur)."""
    return list(import_string(settings.ARISTOBOT_NOTIFICATIONS_OPEN_POSITIONS)(user_id=user_id))
