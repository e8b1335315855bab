"""Relevé périodique des soldes (Statistiques, « Évolution globale du solde »).

Toutes les `balance_snapshot_interval_s` secondes (ARISTOBOT_BALANCE_SNAPSHOT_MINUTES, 60 par
défaut ; 0 : jamais), le solde valorisé de chaque broker est enregistré par le service de l'app
stats (`balance_snapshots_take`, le même que la commande `snapshot_balances`), puis les relevés
trop anciens sont purgés. L'échéance suit le dernier relevé en base : un redémarrage du moteur
ne multiplie pas les relevés.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from asgiref.sync import sync_to_async
from django.db.models import Max
from django.utils import timezone

from apps.core.aio import poll_until
from apps.stats.models import BalanceSnapshot
from apps.stats.services import balance_snapshots_prune, balance_snapshots_take
from apps.trading_engine.engine.config import EngineConfig

logger = logging.getLogger("aristobot.engine")

CHECK_INTERVAL_S = 60.0  # l'échéance est vérifiée au plus toutes les minutes


def _latest_snapshot_at() -> datetime | None:
    return BalanceSnapshot.objects.aggregate(latest=Max("taken_at"))["latest"]


class BalanceSnapshotTask:
    """`run(stop)` relève les soldes à chaque échéance ; `passes` compte les passages faits."""

    def __init__(self, *, config: EngineConfig) -> None:
        self.interval = timedelta(seconds=config.balance_snapshot_interval_s)
        self.passes = 0
        self._next_at: datetime | None = None

    async def run(self, stop: asyncio.Event) -> None:
        if self.interval <= timedelta(0):
            logger.info("Relevé périodique des soldes désactivé (ARISTOBOT_BALANCE_SNAPSHOT_MINUTES=0)")
            await stop.wait()  # une tâche terminée arrêterait le démon
            return
        check_s = min(CHECK_INTERVAL_S, self.interval.total_seconds())
        await poll_until(stop, interval_s=check_s, work=self.tick, log=logger,
                         failure="Relevé des soldes en échec (nouvel essai à la prochaine échéance)")

    async def tick(self) -> bool:
        """Relève les soldes si l'échéance est passée ; vrai si un passage a eu lieu."""
        now = timezone.now()
        if self._next_at is None:
            latest = await sync_to_async(_latest_snapshot_at)()
            self._next_at = latest + self.interval if latest else now
        if now < self._next_at:
            return False
        self._next_at = now + self.interval  # un passage en échec attend l'échéance suivante
        await balance_snapshots_take()
        self.passes += 1
        pruned = await sync_to_async(balance_snapshots_prune)()
        if pruned:
            logger.info("Relevés de solde plus anciens que la conservation effacés : %d", pruned)
        return True
