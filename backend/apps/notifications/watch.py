"""Surveillance du heartbeat pour Telegram (tâche du démon du moteur de trading).

En panne = même règle que la barre de statut : flux déconnecté, aucun message depuis
`heartbeat_stale_s` secondes, ou alerte de cohérence des bougies ouverte. Une panne qui dure
`heartbeat_down_s` secondes (2 minutes) → un message ; le retour à la normale → un message ;
rien entre les deux. L'état « prévenu » est dans la file (dernier message heartbeat de chaque
utilisateur) : un redémarrage du moteur ne renvoie pas l'alerte.
"""

from __future__ import annotations

import datetime as dt
import logging

from asgiref.sync import sync_to_async
from django.utils import timezone

from apps.notifications import texts
from apps.notifications.config import NotificationsConfig
from apps.notifications.models import TelegramMessage
from apps.notifications.selectors import heartbeat_alerted_users, heartbeat_problem, telegram_recipients
from apps.notifications.services import telegram_enqueue

logger = logging.getLogger("aristobot.notifications")


class HeartbeatWatch:
    """`check()` : un contrôle ; renvoie « ok », « panne » (pas encore signalée) ou « signalée »."""

    def __init__(self, config: NotificationsConfig) -> None:
        self.config = config
        self.problem_since: dt.datetime | None = None

    async def check(self) -> str:
        return await sync_to_async(self._check)(timezone.now())

    def _check(self, now: dt.datetime) -> str:
        problem = heartbeat_problem(now=now, stale_s=self.config.heartbeat_stale_s)
        if not problem:
            self._recovered(now)
            self.problem_since = None
            return "ok"
        if self.problem_since is None:
            self.problem_since = now
            logger.info("Heartbeat en panne (%s) : message Telegram si cela dure %g s", problem,
                        self.config.heartbeat_down_s)
        down_s = (now - self.problem_since).total_seconds()
        if down_s < self.config.heartbeat_down_s:
            return "panne"
        alerted = heartbeat_alerted_users()
        for user in telegram_recipients().exclude(pk__in=alerted):
            telegram_enqueue(user_id=user.pk, kind=TelegramMessage.Kind.HEARTBEAT_DOWN,
                             text=texts.heartbeat_down_text(problem=problem, down_s=down_s))
        return "signalée"

    def _recovered(self, now: dt.datetime) -> None:
        alerted = heartbeat_alerted_users()
        if not alerted:
            return
        logger.info("Heartbeat rétabli : message Telegram à %d utilisateur(s)", len(alerted))
        for user_id, alerted_at in alerted.items():
            # Début de la panne : vu par ce moteur, sinon déduit du message (moteur redémarré).
            since = self.problem_since or alerted_at - dt.timedelta(seconds=self.config.heartbeat_down_s)
            telegram_enqueue(user_id=user_id, kind=TelegramMessage.Kind.HEARTBEAT_UP,
                             text=texts.heartbeat_up_text(down_s=(now - since).total_seconds()))
