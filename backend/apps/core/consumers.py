"""Consommateurs WebSocket du cœur : base authentifiée et WebSocket partagée (`LiveConsumer`)."""

from __future__ import annotations

import logging
from functools import cache
from importlib import import_module
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils.module_loading import import_string

from apps.core import groups

logger = logging.getLogger(__name__)


class AuthenticatedJsonConsumer(AsyncJsonWebsocketConsumer):
    """Base : refuse la connexion (code 4401) sans session authentifiée."""

    groups_to_join: tuple[str, ...] = ()

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accepter puis fermer avec 4401 : le navigateur voit le code et arrête de se reconnecter.
            await self.accept()
            await self.close(code=4401)
            return
        for group in self.groups_for_user(user):
            await self.channel_layer.group_add(group, self.channel_name)
        self.joined = list(self.groups_for_user(user))
        await self.accept()
        await self.on_accepted()

    def groups_for_user(self, user: Any) -> tuple[str, ...]:
        return self.groups_to_join

    async def on_accepted(self) -> None:
        """Point d'extension après acceptation."""

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})


@cache
def _live_messages() -> tuple[tuple[str, ...], frozenset[str]]:
    """Groupes rejoints et types relayés, déclarés par les apps (réglage ARISTOBOT_LIVE_MESSAGES)."""
    live_groups: list[str] = []
    live_events: set[str] = set()
    for path in settings.ARISTOBOT_LIVE_MESSAGES:
        module = import_module(path)
        live_groups.extend(getattr(module, "LIVE_GROUPS", ()))
        live_events.update(getattr(module, "LIVE_EVENTS", ()))
    return tuple(dict.fromkeys(live_groups)), frozenset(live_events)


class LiveConsumer(AuthenticatedJsonConsumer):
    """`/ws/heartbeat/` : la WebSocket partagée de l'application.

    Rejoint la barre de statut, le groupe de l'utilisateur et les groupes déclarés par les apps
    (`LIVE_GROUPS` : flux brut et signaux du heartbeat) ; relaie tels quels les types déclarés
    (`LIVE_EVENTS` : `stream.raw`, `heartbeat.signal`, `pairs.progress`, `webhook.logged`,
    `trade.created`, `active_strategy.changed`, `position.changed`…) et recalcule le statut propre
    à l'utilisateur sur `status.changed`. Un type non déclaré n'est jamais envoyé au navigateur.
    """

    def groups_for_user(self, user: Any) -> tuple[str, ...]:
        live_groups, _ = _live_messages()
        return (groups.STATUS, *live_groups, groups.user_group(user.pk))

    async def on_accepted(self) -> None:
        await self.status_changed({})

    async def dispatch(self, message: dict[str, Any]) -> None:
        _, live_events = _live_messages()
        kind = str(message.get("type", ""))
        if kind in live_events:
            await self.send_json(message)
        elif kind.startswith("websocket.") or hasattr(self, get_handler_name(message)):
            await super().dispatch(message)
        else:  # type non déclaré : ni relayé ni fatal pour la connexion
            logger.warning("Message « %s » non relayé au navigateur (type non déclaré)", kind[:80])

    async def status_changed(self, event: dict[str, Any]) -> None:
        """Un processus signale un changement : on recalcule le statut propre à cet utilisateur."""
        snapshot = await _status_for(self.scope["user"])
        await self.send_json({"type": groups.MSG_STATUS_UPDATE, "status": snapshot})


@database_sync_to_async
def _status_for(user: Any) -> dict[str, Any]:
    provider = import_string(settings.ARISTOBOT_STATUS_PROVIDER)
    return provider(user=user)
