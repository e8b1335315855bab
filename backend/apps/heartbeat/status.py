"""Tenue de la ligne ``heartbeat_status`` (id=1) et notification ``status.changed``.

Les écritures sont groupées : au plus une toutes les ``status_interval_s`` secondes pour
``last_message_at``, immédiatement (puis ``status.changed`` sur le groupe ``status``) à chaque
connexion ou déconnexion. PostgreSQL absent : l'écriture est retentée au tour suivant.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from apps.core import groups
from apps.core.aio import wait_event, with_timeout
from apps.core.timeframes import ms_to_dt
from apps.heartbeat import storage
from apps.heartbeat.publisher import Publisher

logger = logging.getLogger("aristobot.heartbeat")


def _dt(ms: int | None) -> datetime | None:
    return ms_to_dt(ms) if ms else None


class StatusTracker:
    def __init__(
        self,
        *,
        db: storage.DbRunner,
        publisher: Publisher,
        symbols: tuple[str, ...],
        interval_s: float,
        clock_ms: Callable[[], int],
    ) -> None:
        self.db = db
        self.publisher = publisher
        self.symbols = symbols
        self.interval_s = interval_s
        self.clock_ms = clock_ms
        self.connected = False
        self.started_ms: int | None = None
        self.last_message_ms: int | None = None
        self.last_signal_ms: int | None = None
        self.last_error = ""
        self._dirty = True
        self._notify = False
        self._wake = asyncio.Event()

    # --- Événements (non bloquants) -------------------------------------------------------------
    def started(self) -> None:
        self.started_ms = self.clock_ms()
        self._dirty = True

    def message_received(self, now_ms: int) -> None:
        self.last_message_ms = now_ms
        self._dirty = True

    def signals_sent(self, now_ms: int) -> None:
        self.last_signal_ms = now_ms
        self._dirty = True

    def set_connected(self, value: bool) -> None:
        self.connected = value
        if value:
            self.last_error = ""
        self._dirty = self._notify = True
        self._wake.set()

    def set_error(self, message: str) -> None:
        if message != self.last_error:
            self.last_error = message
            self._dirty = True

    def fields(self) -> dict[str, Any]:
        return {
            "is_connected": self.connected,
            "last_heartbeat": _dt(self.last_signal_ms),
            "last_message_at": _dt(self.last_message_ms),
            "symbols": list(self.symbols),
            "last_error": self.last_error[:2000],
            "started_at": _dt(self.started_ms),
        }

    # --- Tâche de fond --------------------------------------------------------------------------
    async def run(self) -> None:
        while True:
            await wait_event(self._wake, self.interval_s)
            self._wake.clear()
            notify, self._notify = self._notify, False
            if self._dirty or notify:
                self._dirty = False
                try:
                    await self.db.run(storage.status_update, **self.fields())
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 — PostgreSQL absent : on réessaiera
                    self._dirty = True
                    logger.debug("État du heartbeat non enregistré : %s", exc)
            if notify:
                self.publisher.status_changed()

    async def final(self) -> None:
        """À l'arrêt : « déconnecté » en base puis ``status.changed`` (au mieux, délais courts)."""
        self.connected = False
        try:
            await with_timeout(self.db.run(storage.status_update, **self.fields()), 5)
            await with_timeout(
                self.publisher.layer.group_send(
                    groups.STATUS, {"type": groups.MSG_STATUS_CHANGED}
                ),
                2,
            )
        except Exception as exc:  # noqa: BLE001
            logger.warning("Arrêt : état final non publié (%s)", exc)
