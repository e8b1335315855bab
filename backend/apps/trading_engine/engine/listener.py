"""Abonnement du moteur aux groupes Redis (`heartbeat`, `webhooks`), robuste aux coupures.

- Un canal propre (`new_channel()`), ajouté à chaque groupe, puis `receive()` en boucle.
- Redis absent ou coupé → nouvel essai avec backoff exponentiel plafonné, NOUVEAU canal et
  ré-abonnement (l'ancien canal est oublié par Redis à l'expiration).
- L'appartenance à un groupe expire (24 h chez channels_redis) : ré-abonnement périodique.
- Chaque message est traité dans sa propre tâche : un traitement long (un signal qui lance 20
  stratégies) ne retarde pas la réception, et une erreur de traitement ne tue jamais la boucle.
- `socket_timeout: None` dans les réglages : sinon redis-py 8 coupe un `receive()` inactif après 5 s.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any

logger = logging.getLogger("aristobot.engine")

Handler = Callable[[dict[str, Any]], Awaitable[Any]]


class GroupListener:
    """Reçoit les messages des groupes et les confie au gestionnaire de leur `type`."""

    def __init__(
        self, layer: Any, groups: tuple[str, ...], handlers: dict[str, Handler], *,
        backoff_initial_s: float = 0.5, backoff_max_s: float = 30.0, refresh_s: float = 3600.0,
    ) -> None:
        self.layer = layer
        self.groups = groups
        self.handlers = handlers
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.refresh_s = refresh_s
        self.subscribed = asyncio.Event()
        self.subscriptions = 0  # nombre d'abonnements réussis (1 + reprises)
        self.received = 0
        self._tasks: set[asyncio.Task[Any]] = set()

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_max_s, self.backoff_initial_s * 2 ** min(attempt, 10))
        return delay * (1 + random.random() / 4)

    async def run(self) -> None:
        attempt, stale = 0, None
        while True:
            try:
                channel = await self.layer.new_channel()
                for group in self.groups:
                    await self.layer.group_add(group, channel)
                self.subscriptions += 1
                self.subscribed.set()
                if attempt:
                    logger.info("Redis de nouveau joignable : abonné à %s", ", ".join(self.groups))
                if stale is not None:
                    await self._forget(stale)
                attempt, stale = 0, channel
                await self._receive_loop(channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — Redis coupé, refus, délai : on réessaie
                self.subscribed.clear()
                delay = self._backoff(attempt)
                attempt += 1
                logger.warning("Canal Redis interrompu (%s: %s) ; nouvel abonnement dans %.1f s",
                               type(exc).__name__, exc, delay)
                await asyncio.sleep(delay)

    async def _receive_loop(self, channel: str) -> None:
        refresher = asyncio.create_task(self._refresh(channel))
        try:
            while True:
                message = await self.layer.receive(channel)
                self.received += 1
                self.dispatch(message)
        finally:
            refresher.cancel()
            await asyncio.gather(refresher, return_exceptions=True)

    async def _refresh(self, channel: str) -> None:
        """Ré-abonnement périodique (l'appartenance à un groupe expire) ; un échec est rejoué."""
        while True:
            await asyncio.sleep(self.refresh_s)
            try:
                for group in self.groups:
                    await self.layer.group_add(group, channel)
            except Exception as exc:  # noqa: BLE001 — la boucle de réception verra la coupure
                logger.warning("Ré-abonnement aux groupes en échec : %s", exc)

    async def _forget(self, channel: str) -> None:
        """Retire l'ancien canal des groupes (au mieux : il expirerait de toute façon)."""
        for group in self.groups:
            try:
                async with asyncio.timeout(1.0):
                    await self.layer.group_discard(group, channel)
            except Exception:  # noqa: BLE001
                return

    def dispatch(self, message: Any) -> None:
        """Lance le traitement d'un message dans une tâche (jamais bloquant, jamais fatal)."""
        kind = message.get("type") if isinstance(message, dict) else None
        handler = self.handlers.get(kind or "")
        if handler is None:
            logger.debug("Message ignoré (type %r)", kind)
            return
        task = asyncio.create_task(self._handle(handler, message), name=f"engine-{kind}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, handler: Handler, message: dict[str, Any]) -> None:
        try:
            await handler(message)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 — un message défectueux ne tue jamais le moteur
            logger.exception("Traitement du message %s en échec : %s", message.get("type"), message)

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    async def wait_handlers(self, timeout: float) -> bool:
        """Attend la fin des traitements en cours (arrêt propre) ; False si le délai est dépassé."""
        if not self._tasks:
            return True
        _, pending = await asyncio.wait(list(self._tasks), timeout=timeout)
        return not pending

    async def cancel_handlers(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
