"""Publication sur le channel layer (Redis) sans jamais bloquer la boucle de réception.

Deux files : les messages prioritaires (signaux ``heartbeat.signal``, ``status.changed``), gardés
jusqu'à leur échéance si Redis est indisponible puis abandonnés (journalisés) ; les messages bruts
(``stream.raw``), dans une file bornée qui ne garde que les plus récents. La livraison du channel
layer est « au plus une fois » : la base reste la vérité (les bougies y sont toujours).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from apps.core import groups
from apps.core.aio import wait_event, with_timeout
from apps.heartbeat.messages import HEARTBEAT, MSG_HEARTBEAT_SIGNAL, STREAM_BRUT

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class _Pending:
    group: str
    message: dict[str, Any]
    deadline: float


class Publisher:
    """Envoie les messages en tâche de fond ; expose des compteurs pour le suivi et les tests."""

    def __init__(
        self,
        layer: Any,
        *,
        raw_max: int = 1000,
        deadline_s: float = 30.0,
        timeout_s: float = 5.0,
        retry_max_s: float = 5.0,
    ) -> None:
        self.layer = layer
        self.deadline_s = deadline_s
        self.timeout_s = timeout_s
        self.retry_max_s = retry_max_s
        self._priority: deque[_Pending] = deque()
        self._raw: deque[dict[str, Any]] = deque(maxlen=raw_max)
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self.sent = 0
        self.raw_sent = 0
        self.raw_dropped = 0
        self.dropped = 0
        self.failures = 0
        self._last_failure_log = 0.0

    # --- API non bloquante ------------------------------------------------------------------
    def raw(self, message: dict[str, Any]) -> None:
        if len(self._raw) == self._raw.maxlen:
            self.raw_dropped += 1  # le plus ancien est écarté (simple affichage de contrôle)
        self._raw.append(message)
        self._poke()

    def signals(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self.send(HEARTBEAT, message)

    def send(self, group: str, message: dict[str, Any]) -> None:
        self._priority.append(_Pending(group, message, time.monotonic() + self.deadline_s))
        self._poke()

    def status_changed(self) -> None:
        self.send(groups.STATUS, {"type": groups.MSG_STATUS_CHANGED})

    def _poke(self) -> None:
        self._idle.clear()
        self._wake.set()

    @property
    def backlog(self) -> int:
        return len(self._priority) + len(self._raw)

    async def wait_idle(self, timeout: float) -> bool:
        """Attend que tout soit envoyé (ou abandonné) ; False si le délai est dépassé."""
        return await wait_event(self._idle, timeout)

    # --- Tâche de fond ----------------------------------------------------------------------
    async def run(self) -> None:
        failures = 0
        while True:
            if not self._priority and not self._raw:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            ok = await self._send_next()
            if ok:
                failures = 0
                continue
            failures += 1
            await asyncio.sleep(min(self.retry_max_s, 0.2 * 2 ** min(failures, 6)))

    async def _send_next(self) -> bool:
        if self._priority:
            item = self._priority[0]
            if time.monotonic() > item.deadline:
                self._priority.popleft()
                self.dropped += 1
                logger.warning(
                    "Message %s abandonné (Redis indisponible depuis trop longtemps) : %s",
                    item.message.get("type"), _describe(item.message),
                )
                return True
            if await self._group_send(item.group, item.message):
                self._priority.popleft()
                self.sent += 1
                return True
            return False
        message = self._raw.popleft()
        if await self._group_send(STREAM_BRUT, message):
            self.raw_sent += 1
            return True
        self.raw_dropped += 1
        return False

    async def _group_send(self, group: str, message: dict[str, Any]) -> bool:
        try:
            await with_timeout(self.layer.group_send(group, message), self.timeout_s)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 — Redis absent, délai, sérialisation…
            self.failures += 1
            now = time.monotonic()
            if now - self._last_failure_log > 10.0:
                self._last_failure_log = now
                logger.warning(
                    "Publication sur le groupe %s impossible (%s: %s) ; nouvel essai",
                    group, type(exc).__name__, exc,
                )
            return False
        return True


def _describe(message: dict[str, Any]) -> str:
    if message.get("type") == MSG_HEARTBEAT_SIGNAL:
        return f"{message.get('symbol')} {message.get('timeframe')} @ {message.get('open_time')}"
    return str(message.get("type"))
