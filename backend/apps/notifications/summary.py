"""Résumé quotidien Telegram (tâche du démon du moteur de trading).

À l'heure choisie dans Mon Compte (`telegram_summary_time`, 20:00 par défaut ; vide : aucun
résumé) dans le fuseau de l'utilisateur (`telegram_timezone`) : P&L réalisé du jour, ordres
exécutés et en échec, positions ouvertes. Un seul résumé par jour (clé `summary:<date>`) ; un moteur
arrêté à l'heure dite l'envoie à son redémarrage s'il a lieu le même jour.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from typing import Any

from asgiref.sync import sync_to_async
from django.utils import timezone

from apps.notifications import texts
from apps.notifications.config import NotificationsConfig
from apps.notifications.models import TelegramMessage
from apps.notifications.selectors import day_stats, open_positions, telegram_recipients
from apps.notifications.services import telegram_enqueue

logger = logging.getLogger("aristobot.notifications")


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _at(text: str) -> dt.time | None:
    try:
        hours, minutes = (int(part) for part in text.split(":"))
        return dt.time(hours, minutes)
    except ValueError:
        return None


def summary_build(*, user: Any, now: dt.datetime) -> str:
    """Le texte du résumé du jour (local) de `user` jusqu'à `now`."""
    zone = _zone(user.telegram_timezone)
    local = now.astimezone(zone)
    start = dt.datetime.combine(local.date(), dt.time(0), tzinfo=zone)
    stats = day_stats(user_id=user.pk, start=start, end=now)
    return texts.summary_text(day=local.date(), zone=str(zone), stats=stats,
                              positions=open_positions(user_id=user.pk))


class DailySummary:
    def __init__(self, config: NotificationsConfig) -> None:
        self.config = config

    async def check(self) -> int:
        """Met en file les résumés dont l'heure est passée aujourd'hui ; renvoie leur nombre."""
        return await sync_to_async(self._check)(timezone.now())

    def _check(self, now: dt.datetime) -> int:
        queued = 0
        for user in telegram_recipients().exclude(telegram_summary_time=""):
            at = _at(user.telegram_summary_time)
            local = now.astimezone(_zone(user.telegram_timezone))
            if at is None or local.time() < at:
                continue
            key = f"summary:{local.date().isoformat()}"
            if TelegramMessage.objects.filter(user=user, dedup_key=key).exists():
                continue
            queued += telegram_enqueue(user_id=user.pk, kind=TelegramMessage.Kind.DAILY_SUMMARY,
                                       text=summary_build(user=user, now=now), dedup_key=key)
        if queued:
            logger.info("Résumé quotidien Telegram : %d message(s) en file", queued)
        return queued
