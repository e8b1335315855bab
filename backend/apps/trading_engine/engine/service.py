"""Le démon Trading Engine : une boucle asyncio, des tâches indépendantes, un arrêt propre.

    TradingEngine(EngineConfig.from_settings()).run()      # bloque jusqu'à SIGINT/SIGTERM

Au démarrage : bac à sable des stratégies (processus modèle chaud), état relu (`engine_state`),
reprise (positions, signaux manqués, webhooks interrompus). Puis, en parallèle :

- `listener` : groupes `heartbeat` (→ `StrategyRunner`) et `webhooks` (→ `WebhookExecutor`) ;
- `monitor` : positions ouvertes toutes les minutes ;
- `webhooks` : relecture des webhooks en attente toutes les ~5 s ;
- `alive` : battement dans `engine_state` (et connexions PostgreSQL périmées fermées) ;
- `notifications` : envoi de la file Telegram, surveillance du heartbeat, résumé quotidien ;
- `balances` : relevé du solde valorisé de chaque broker (toutes les heures par défaut).

À l'arrêt (`AsyncExitStack`) : tâches annulées, traitements en cours attendus (délai borné),
bac à sable des stratégies arrêté, instances CCXT fermées.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.core.daemon import AsyncDaemon
from apps.core.services.ccxt_manager import close_all
from apps.heartbeat import messages as heartbeat_messages
from apps.notifications.tasks import NotificationTasks
from apps.strategies.runtime.pool import StrategyPool
from apps.trading_engine.engine.balances import BalanceSnapshotTask
from apps.trading_engine.engine.config import EngineConfig
from apps.trading_engine.engine.listener import GroupListener
from apps.trading_engine.engine.monitor import PositionMonitor
from apps.trading_engine.engine.notify import Notifier
from apps.trading_engine.engine.reconcile import Reconciler
from apps.trading_engine.engine.runner import StrategyRunner
from apps.trading_engine.engine.state import EngineStateStore

logger = logging.getLogger("aristobot.engine")


class TradingEngine(AsyncDaemon):
    """Le moteur ; `channel_layer` et `pool` sont injectables (tests, banc d'essai)."""

    label = "moteur de trading"
    logger = logger

    def __init__(
        self, config: EngineConfig | None = None, *, channel_layer: Any = None,
        pool: StrategyPool | None = None,
    ) -> None:
        super().__init__()
        self.config = config or EngineConfig.from_settings()
        self.layer = channel_layer if channel_layer is not None else get_channel_layer()
        self._pool = pool
        self.notifier = Notifier(self.layer)
        self.state = EngineStateStore()
        self.monitor = PositionMonitor(config=self.config, notifier=self.notifier)
        self.balances = BalanceSnapshotTask(config=self.config)
        # Exécuteur des webhooks en attente, fourni par l'app webhooks (réglage, pas d'import).
        self.webhooks = import_string(settings.ARISTOBOT_WEBHOOK_EXECUTOR)(
            config=self.config, notifier=self.notifier)
        self.notifications = NotificationTasks()  # Telegram : file, heartbeat, résumé quotidien
        self.runner: StrategyRunner | None = None
        self.listener: GroupListener | None = None
        self.reconcile_report: dict[str, Any] = {}
        self.ready = asyncio.Event()  # reprise faite et abonné à Redis
        self._started = asyncio.Event()  # reprise terminée : les messages reçus peuvent être traités

    async def start(self, stack: AsyncExitStack) -> list[asyncio.Task[Any]]:
        """Ressources (nettoyées à l'arrêt dans l'ordre inverse), reprise, puis les tâches."""
        stack.push_async_callback(self._close_db)
        stack.push_async_callback(close_all)  # instances CCXT de cette boucle
        pool = self._pool
        if pool is None:  # un pool fourni (tests, banc d'essai) reste à la charge de l'appelant
            pool = StrategyPool(
                size=self.config.pool_size, memory_mb=self.config.strategy_memory_mb,
                default_timeout=self.config.strategy_timeout_s, name="moteur",
            )
            await stack.enter_async_context(pool)
        stack.push_async_callback(self.notifier.drain)
        stack.push_async_callback(self.state.stopped)
        self.runner = StrategyRunner(pool=pool, config=self.config, notifier=self.notifier,
                                     state=self.state)
        self.listener = GroupListener(
            self.layer, (heartbeat_messages.HEARTBEAT, self.webhooks.group),
            {heartbeat_messages.MSG_HEARTBEAT_SIGNAL: self._gated(self.runner.handle_signal),
             self.webhooks.message_type: self._gated(self.webhooks.handle_message)},
            backoff_initial_s=self.config.redis_backoff_initial_s,
            backoff_max_s=self.config.redis_backoff_max_s, refresh_s=self.config.group_refresh_s,
        )
        listening = asyncio.create_task(self.listener.run(), name="engine-listener")
        tasks = [listening]
        stack.push_async_callback(self._shutdown, tasks)
        await self._wait_subscribed()  # abonné AVANT de compter les signaux manqués : aucun trou
        await self._start_up()
        self._started.set()
        tasks += [
            asyncio.create_task(self.monitor.run(self._stop), name="engine-monitor"),
            asyncio.create_task(self.webhooks.run(self._stop), name="engine-webhooks"),
            asyncio.create_task(self._alive(), name="engine-alive"),
            asyncio.create_task(self.notifications.run(self._stop), name="engine-notifications"),
            asyncio.create_task(self.balances.run(self._stop), name="engine-balances"),
        ]
        self.ready.set()
        logger.info("Moteur de trading prêt (%d évaluations de stratégie simultanées au plus, "
                    "confinement : %s)", pool.size, pool.containment.get("level", "inconnu"))
        return tasks

    def _gated(self, handler: Any) -> Any:
        """Abonné dès le départ (aucun signal perdu), mais rien n'est traité avant la fin de la reprise."""

        async def gated(message: dict[str, Any]) -> Any:
            await self._started.wait()
            return await handler(message)

        return gated

    async def _start_up(self) -> None:
        """État précédent, puis reprise ; une erreur est journalisée, le moteur démarre quand même."""
        try:
            previous = await self.state.started()
            started_at = timezone.now()
            await self.webhooks.recover()
            self.reconcile_report = await Reconciler(
                config=self.config, notifier=self.notifier, monitor=self.monitor
            ).run(previous=previous, started_at=started_at)
        except Exception:  # noqa: BLE001 — la reprise sera refaite par la surveillance
            logger.exception("Reprise au démarrage en échec")

    async def _wait_subscribed(self) -> None:
        assert self.listener is not None
        try:
            async with asyncio.timeout(5.0):
                await self.listener.subscribed.wait()
        except TimeoutError:
            logger.warning("Redis injoignable au démarrage : le moteur réessaie en arrière-plan")

    async def _alive(self) -> None:
        while True:
            await asyncio.sleep(self.config.alive_interval_s)
            await sync_to_async(close_old_connections)()
            await self.state.alive()

    async def _shutdown(self, tasks: list[asyncio.Task[Any]]) -> None:
        self._stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.listener is not None and self.listener.in_flight:
            logger.info("Arrêt : %d traitement(s) en cours, attente…", self.listener.in_flight)
            if not await self.listener.wait_handlers(self.config.shutdown_grace_s):
                logger.warning("Arrêt : des traitements n'ont pas fini à temps (annulés)")
                await self.listener.cancel_handlers()
        logger.info("Moteur de trading arrêté")

    async def _close_db(self) -> None:
        await sync_to_async(connections.close_all)()
