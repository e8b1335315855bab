"""Les tâches Telegram du démon du moteur de trading : envoi de la file, heartbeat, résumé quotidien.

    await NotificationTasks().run(stop)      # jusqu'à `stop`

Lancé par `apps.trading_engine.engine.service.TradingEngine` (tâche `engine-notifications`). Une
erreur (base, Telegram) est journalisée et retentée : elle n'arrête ni ces tâches ni le moteur.
"""

from __future__ import annotations

import asyncio
import logging

from apps.core.aio import poll_until
from apps.notifications.config import NotificationsConfig
from apps.notifications.sender import OutboxSender
from apps.notifications.summary import DailySummary
from apps.notifications.watch import HeartbeatWatch

logger = logging.getLogger("aristobot.notifications")


class NotificationTasks:
    def __init__(self, config: NotificationsConfig | None = None) -> None:
        self.config = config or NotificationsConfig.from_settings()
        self.sender = OutboxSender(self.config)
        self.heartbeat = HeartbeatWatch(self.config)
        self.summary = DailySummary(self.config)

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(
            self.sender.run(stop),
            poll_until(stop, interval_s=self.config.heartbeat_check_s, work=self.heartbeat.check,
                       log=logger, failure="Surveillance Telegram du heartbeat en échec"),
            poll_until(stop, interval_s=self.config.summary_check_s, work=self.summary.check,
                       log=logger, failure="Résumé quotidien Telegram en échec"),
        )
