"""Routes WebSocket de toutes les applications (`/ws/...`)."""

from apps.backtest.routing import websocket_urlpatterns as backtest_ws
from apps.core.routing import websocket_urlpatterns as core_ws

websocket_urlpatterns = [*core_ws, *backtest_ws]
