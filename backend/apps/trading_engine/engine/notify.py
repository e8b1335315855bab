"""Notifications WebSocket du Trading BOT (au mieux : la base reste la vérité, Redis peut manquer).

Types envoyés au groupe de l'utilisateur (`user_<id>`) :

- `active_strategy.changed` `{"active_strategy_id", "is_active", "last_error"}` ;
- `position.changed` `{"position_id", "active_strategy_id", "status", "last_price", "unrealized_pnl",
  "realized_pnl"}` ;
- `trade.created` `{"trade_id", "active_strategy_id", "webhook_id", "role", "side", "symbol",
  "status"}` ;

et `status.changed` au groupe `status` (la barre de statut recalcule « Stratégies live »).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from apps.core import groups
from apps.trading.messages import trade_event
from apps.trading_engine.messages import MSG_ACTIVE_STRATEGY_CHANGED, MSG_POSITION_CHANGED

logger = logging.getLogger(__name__)

SEND_TIMEOUT_S = 3.0


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def position_event(position: Any) -> dict[str, Any]:
    return {
        "type": MSG_POSITION_CHANGED, "position_id": position.pk,
        "active_strategy_id": position.active_strategy_id, "status": position.status,
        "last_price": _text(position.last_price), "unrealized_pnl": _text(position.unrealized_pnl),
        "realized_pnl": _text(position.realized_pnl),
    }


def active_event(active: Any) -> dict[str, Any]:
    return {
        "type": MSG_ACTIVE_STRATEGY_CHANGED, "active_strategy_id": active.pk,
        "is_active": active.is_active, "last_error": active.last_error,
    }


class Notifier:
    """Envois en tâche de fond sur la boucle courante : le trading n'attend jamais Redis."""

    def __init__(self, layer: Any = None) -> None:
        self.layer = layer if layer is not None else get_channel_layer()
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent = 0
        self.failed = 0

    def send(self, group: str, message: dict[str, Any]) -> None:
        if self.layer is None:
            return
        task = asyncio.get_running_loop().create_task(self._send(group, message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def user(self, user_id: int | None, message: dict[str, Any]) -> None:
        if user_id:
            self.send(groups.user_group(user_id), message)

    def status_changed(self) -> None:
        self.send(groups.STATUS, {"type": groups.MSG_STATUS_CHANGED})

    def trade(self, trade: Any) -> None:
        self.user(trade.user_id, trade_event(trade))

    def position(self, position: Any) -> None:
        self.user(position.user_id, position_event(position))

    def active(self, active: Any) -> None:
        self.user(active.user_id, active_event(active))

    async def _send(self, group: str, message: dict[str, Any]) -> None:
        try:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                await self.layer.group_send(group, message)
            self.sent += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 — Redis absent : notification perdue, pas le trade
            self.failed += 1
            logger.debug("Notification %s non envoyée (%s)", message.get("type"), exc)

    async def drain(self, timeout: float = SEND_TIMEOUT_S) -> None:
        """Attend les envois en cours (arrêt, tests)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)


def notify_on_commit(user_id: int, *messages: dict[str, Any], status: bool = False) -> None:
    """Depuis du code synchrone (vues) : envoie après le commit de la transaction courante."""

    def _send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            for message in messages:
                async_to_sync(layer.group_send)(groups.user_group(user_id), message)
            if status:
                async_to_sync(layer.group_send)(groups.STATUS, {"type": groups.MSG_STATUS_CHANGED})
        except Exception as exc:  # noqa: BLE001 — Redis absent : l'interface se resynchronisera
            logger.warning("Notification du Trading BOT impossible (Redis ?) : %s", exc)

    transaction.on_commit(_send)
