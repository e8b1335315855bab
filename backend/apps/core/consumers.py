"""Consommateurs WebSocket du cœur : relais du heartbeat et de la barre de statut."""

from __future__ import annotations

import logging
from typing import Any

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


class HeartbeatConsumer(AuthenticatedJsonConsumer):
    """`/ws/heartbeat/` : relaie `stream_brut`, `heartbeat`, le statut et les événements de l'utilisateur."""

    groups_to_join = (groups.STREAM_BRUT, groups.HEARTBEAT, groups.STATUS)

    def groups_for_user(self, user: Any) -> tuple[str, ...]:
        return (*self.groups_to_join, groups.user_group(user.pk))

    async def on_accepted(self) -> None:
        await self.status_changed({})

    async def stream_raw(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def heartbeat_signal(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def pairs_progress(self, event: dict[str, Any]) -> None:
        """Progression du chargement des paires (groupe de l'utilisateur) : relayée telle quelle."""
        await self.send_json(event)

    async def webhook_logged(self, event: dict[str, Any]) -> None:
        """Webhook reçu ou traité (groupe de l'utilisateur) : `{webhook_id, status}`, relayé tel quel."""
        await self.send_json(event)

    async def trade_created(self, event: dict[str, Any]) -> None:
        """Nouveau trade de l'utilisateur (moteur, webhook) : la page Statistiques se rafraîchit."""
        await self.send_json(event)

    async def active_strategy_changed(self, event: dict[str, Any]) -> None:
        """Stratégie active modifiée (bouton, moteur) : la page Trading BOT relit cette stratégie."""
        await self.send_json(event)

    async def position_changed(self, event: dict[str, Any]) -> None:
        """Position ouverte, mise à jour ou clôturée par le moteur ou le bouton « Vendre »."""
        await self.send_json(event)

    async def status_changed(self, event: dict[str, Any]) -> None:
        """Un processus signale un changement : on recalcule le statut propre à cet utilisateur."""
        snapshot = await _status_for(self.scope["user"])
        await self.send_json({"type": groups.MSG_STATUS_UPDATE, "status": snapshot})


@database_sync_to_async
def _status_for(user: Any) -> dict[str, Any]:
    provider = import_string(settings.ARISTOBOT_STATUS_PROVIDER)
    return provider(user=user)
