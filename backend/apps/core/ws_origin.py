"""Contrôle d'origine des WebSocket : même hôte ET même port que la page, ou origine de confiance.

`AllowedHostsOriginValidator` de Channels ne compare que le nom d'hôte : une page servie sur
`http://127.0.0.1:9999` (un autre service local) pourrait ouvrir `/ws/…` avec les cookies de
l'utilisateur. Ici l'origine doit être exactement celle de l'application (hôte et port de l'en-tête
`Host`, hôte présent dans ALLOWED_HOSTS) ou une entrée de CSRF_TRUSTED_ORIGINS (Vite en
développement).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import validate_host

DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}


def _host_port(netloc: str, scheme: str) -> tuple[str, int] | None:
    try:
        parts = urlsplit(f"//{netloc}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname.lower(), port or DEFAULT_PORTS.get(scheme, 80)


def origin_allowed(scope: dict[str, Any]) -> bool:
    headers = {key.lower(): value for key, value in scope.get("headers", [])}
    origin = headers.get(b"origin", b"").decode("latin-1")
    host = headers.get(b"host", b"").decode("latin-1")
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return False
    wanted = _host_port(parsed.netloc, parsed.scheme)
    if wanted is None:
        return False
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        item = urlsplit(trusted)
        if item.scheme == parsed.scheme and _host_port(item.netloc, item.scheme) == wanted:
            return True
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    served = _host_port(host, scheme) if host else None
    return (parsed.scheme == scheme and served is not None and served == wanted
            and validate_host(wanted[0], settings.ALLOWED_HOSTS))


class SameOriginValidator:
    """Middleware ASGI : refuse la poignée de main WebSocket d'une autre origine."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope.get("type") == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
