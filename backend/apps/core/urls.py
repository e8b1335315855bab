from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.core.views_heartbeat import (
    HeartbeatCandlesView,
    HeartbeatSignalsView,
    HeartbeatStatusView,
)
from apps.core.views_trades import TradeViewSet

router = SimpleRouter()
router.register("trades", TradeViewSet, basename="trade")
urlpatterns = [
    path("heartbeat/status/", HeartbeatStatusView.as_view(), name="heartbeat-status"),
    path("heartbeat/signals/", HeartbeatSignalsView.as_view(), name="heartbeat-signals"),
    path("heartbeat/candles/", HeartbeatCandlesView.as_view(), name="heartbeat-candles"),
    *router.urls,
]
