"""Cycle de vie commun des démons (heartbeat, moteur de trading…) : une boucle asyncio, des tâches
indépendantes, SIGINT/SIGTERM, arrêt ordonné, code de sortie.

    class MonDemon(AsyncDaemon):
        label = "mon démon"

        async def start(self, stack: AsyncExitStack) -> list[asyncio.Task]:
            stack.push_async_callback(ressource.close)       # nettoyée à l'arrêt, dans l'ordre inverse
            return [asyncio.create_task(self._boucle(), name="mon-demon-boucle")]

    MonDemon().run()            # commande : bloque jusqu'à SIGINT/SIGTERM ; `failed` → code de sortie
    await MonDemon().serve(install_signal_handlers=False)   # tests : `stop()` pour arrêter

Une tâche qui s'arrête sur une exception arrête le démon, est journalisée en CRITICAL et met
`failed` à vrai (la commande sort alors avec le code 1 et le superviseur le relance).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import AsyncExitStack
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class AsyncDaemon:
    """Base à dériver : `start()` prépare les ressources (nettoyage sur la pile) et rend les tâches."""

    label = "démon"
    logger = logging.getLogger("aristobot.daemon")

    def __init__(self) -> None:
        self.failed = False
        self._stop = asyncio.Event()

    # --- à fournir --------------------------------------------------------------------------
    async def start(self, stack: AsyncExitStack) -> list[asyncio.Task[Any]]:
        raise NotImplementedError

    # --- cycle de vie -------------------------------------------------------------------------
    def run(self) -> None:
        """Point d'entrée d'une commande : bloque jusqu'à SIGINT/SIGTERM (ou l'échec d'une tâche)."""
        asyncio.run(self.serve())

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _on_signal(self, sig: signal.Signals) -> None:
        self.logger.info("Signal %s reçu : arrêt du %s", sig.name, self.label)
        self.stop()

    async def serve(self, *, install_signal_handlers: bool = True) -> None:
        loop = asyncio.get_running_loop()
        async with AsyncExitStack() as stack:
            if install_signal_handlers:
                for sig in SIGNALS:
                    loop.add_signal_handler(sig, self._on_signal, sig)
                    stack.callback(loop.remove_signal_handler, sig)
            tasks = await self.start(stack)
            await self._wait(tasks)

    async def _wait(self, tasks: list[asyncio.Task[Any]]) -> None:
        """Jusqu'à `stop()` ou la fin d'une tâche ; une tâche en échec marque le démon `failed`."""
        stop_task = asyncio.create_task(self._stop.wait())
        done, _ = await asyncio.wait([stop_task, *tasks], return_when=asyncio.FIRST_COMPLETED)
        stop_task.cancel()
        for task in done:
            if task is not stop_task and not task.cancelled() and task.exception():
                self.failed = True
                self.logger.critical("Tâche %s arrêtée sur erreur", task.get_name(),
                                     exc_info=task.exception())


async def tasks_cancel(tasks: list[asyncio.Task[Any]], *, timeout: float = 5.0,
                       logger: logging.Logger | None = None) -> None:
    """Annule des tâches et attend leur fin (au plus `timeout` s : l'arrêt ne bloque jamais)."""
    for task in tasks:
        task.cancel()
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            (logger or AsyncDaemon.logger).error("Tâche %s toujours active après annulation",
                                                 task.get_name())
