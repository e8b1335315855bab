"""Enregistrement des bougies clôturées : file bornée en mémoire, écriture par lots, puis signaux.

PostgreSQL indisponible : le lot retourne en tête de file et l'écriture est retentée avec un délai
croissant ; rien n'est perdu tant que la file (``pending_max``) n'est pas pleine. Une bougie que la
base refuse pour une autre raison est isolée et écartée (journalisée), sans bloquer les suivantes.
Les signaux ne partent qu'après le commit (la base fait foi, Redis est « au plus une fois »).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from django.db.utils import InterfaceError, OperationalError

from apps.heartbeat import storage
from apps.heartbeat.aggregator import Candle, signal_is_due
from apps.heartbeat.config import HeartbeatConfig
from apps.heartbeat.publisher import Publisher

logger = logging.getLogger("aristobot.heartbeat")

DB_DOWN = (OperationalError, InterfaceError)


class CandleWriter:
    def __init__(
        self,
        *,
        config: HeartbeatConfig,
        db: storage.DbRunner,
        publisher: Publisher,
        clock_ms: Callable[[], int],
        store: Callable[..., list[dict[str, Any]]],
        stats: Counter[str],
        on_error: Callable[[str], None],
        on_signals: Callable[[int], None],
    ) -> None:
        self.config = config
        self.db = db
        self.publisher = publisher
        self.clock_ms = clock_ms
        self.store = store
        self.stats = stats
        self.on_error = on_error
        self.on_signals = on_signals
        self.pending: deque[Candle] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    def emit(self, candles: list[Candle]) -> None:
        """Met des bougies en file (sans attendre) ; la plus ancienne saute si la file est pleine."""
        for candle in candles:
            if len(self.pending) >= self.config.pending_max:
                self.pending.popleft()
                self.stats["pending_dropped"] += 1
                if self.stats["pending_dropped"] % 1000 == 1:
                    logger.error(
                        "File des bougies pleine : les plus anciennes sont écartées "
                        "(le contrôle de cohérence les réparera)"
                    )
            self.pending.append(candle)
        if candles:
            self._idle.clear()
            self._wake.set()

    @property
    def idle(self) -> bool:
        return not self.pending and self._idle.is_set()

    async def run(self) -> None:
        failures = 0
        while True:
            if not self.pending:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            self._idle.clear()
            size = min(len(self.pending), self.config.write_batch)
            batch = [self.pending.popleft() for _ in range(size)]
            try:
                await self._write(batch)
            except DB_DOWN as exc:
                self.pending.extendleft(reversed(batch))
                failures += 1
                self.on_error(f"PostgreSQL indisponible : {str(exc).strip()}")
                logger.warning(
                    "PostgreSQL indisponible (%s) : %d bougie(s) en attente",
                    str(exc).strip(), len(self.pending),
                )
                delay = self.config.backoff_initial_s * 2 ** min(failures - 1, 10)
                await asyncio.sleep(min(self.config.db_retry_max_s, delay))
                continue
            except Exception:  # noqa: BLE001 — lot refusé : on isole la bougie fautive
                logger.exception("Lot de bougies refusé : enregistrement une par une")
                await self._write_one_by_one(batch)
            if failures:
                failures = 0
                self.on_error("")
                logger.info("PostgreSQL de nouveau disponible : enregistrement repris")

    async def _write_one_by_one(self, batch: list[Candle]) -> None:
        retry: list[Candle] = []
        for candle in batch:
            try:
                await self._write([candle])
            except DB_DOWN:
                retry.append(candle)  # panne pendant l'isolement : on réessaiera
            except Exception as exc:  # noqa: BLE001
                self.stats["rejected"] += 1
                logger.error("Bougie écartée %s : %s", candle.key, exc)
        self.pending.extendleft(reversed(retry))

    async def write_now(self, candles: list[Candle], *, overwrite_higher: bool = False) -> None:
        """Écrit tout de suite (réparation) ; lève si PostgreSQL est indisponible."""
        if candles:
            await self._write(candles, overwrite_higher=overwrite_higher)

    async def _write(self, batch: list[Candle], *, overwrite_higher: bool = False) -> None:
        now = self.clock_ms()
        max_delay = int(self.config.signal_max_delay_s * 1000)
        extra = {"overwrite_higher": True} if overwrite_higher else {}
        messages = await self.db.run(
            self.store,
            candles=batch,
            now_ms=now,
            signal_due=lambda c: signal_is_due(c, now, max_delay),
            **extra,
        )
        self.stats["candles_written"] += len(batch)
        if messages:
            self.stats["signals"] += len(messages)
            self.publisher.signals(messages)
            self.on_signals(now)

    async def wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.idle:
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.01)
        return True
