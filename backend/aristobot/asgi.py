"""Application ASGI servie par Daphne : HTTP (API + SPA) et WebSocket (Channels)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aristobot.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from apps.core.ws_auth import DebugAristobotWsMiddleware  # noqa: E402
from apps.core.ws_origin import SameOriginValidator  # noqa: E402
from aristobot.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Fichiers statiques de Django (admin, Swagger UI) servis par Daphne, comme runserver.
        "http": ASGIStaticFilesHandler(django_asgi_app),
        # Origine : même hôte ET même port que l'application (ou CSRF_TRUSTED_ORIGINS).
        "websocket": SameOriginValidator(
            AuthMiddlewareStack(DebugAristobotWsMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
