"""Persistance de l'état du moteur (table `engine_state`, ligne id=1) : dernier signal traité, battement."""

from __future__ import annotations

import logging

from django.utils import timezone

from apps.core.timeframes import ms_to_dt
from apps.trading_engine.models import EngineState

logger = logging.getLogger(__name__)


class EngineStateStore:
    """Lit et écrit la ligne d'état ; les erreurs d'écriture sont journalisées, jamais fatales."""

    async def load(self) -> EngineState:
        state, _ = await EngineState.objects.aget_or_create(pk=1)
        return state

    async def started(self) -> EngineState:
        """Marque le démarrage ; renvoie l'état PRÉCÉDENT (pour les signaux manqués)."""
        previous = await self.load()
        now = timezone.now()
        await EngineState.objects.filter(pk=1).aupdate(started_at=now, alive_at=now, stopped_at=None)
        return previous

    async def signal_processed(self, timeframe: str, open_time_ms: int, close_time_ms: int) -> None:
        try:
            state = await self.load()
            if open_time_ms:
                state.last_signals = {**state.last_signals, timeframe: open_time_ms}
            if close_time_ms:
                close = ms_to_dt(close_time_ms)
                if state.last_signal_at is None or close > state.last_signal_at:
                    state.last_signal_at = close
            state.alive_at = timezone.now()
            await state.asave(update_fields=["last_signals", "last_signal_at", "alive_at", "updated_at"])
        except Exception:  # noqa: BLE001
            logger.exception("État du moteur non enregistré")

    async def alive(self) -> None:
        try:
            await EngineState.objects.filter(pk=1).aupdate(alive_at=timezone.now())
        except Exception:  # noqa: BLE001
            logger.warning("Battement du moteur non enregistré (base indisponible ?)")

    async def stopped(self) -> None:
        try:
            await EngineState.objects.filter(pk=1).aupdate(stopped_at=timezone.now())
        except Exception:  # noqa: BLE001
            logger.warning("Arrêt du moteur non enregistré")
