"""Middleware WebSocket : en mode DEBUG_ARISTOBOT, une connexion anonyme devient `dev`."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from apps.core.access import DEV_USERNAME


@database_sync_to_async
def _dev_user() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=DEV_USERNAME).first()


class DebugAristobotWsMiddleware:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        user = scope.get("user")
        if settings.DEBUG_ARISTOBOT and (user is None or not user.is_authenticated):
            dev = await _dev_user()
            if dev is not None:
                scope = dict(scope, user=dev)
        return await self.inner(scope, receive, send)
