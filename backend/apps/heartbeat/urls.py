from django.urls import path

from apps.heartbeat.views import HeartbeatCandlesView, HeartbeatSignalsView, HeartbeatStatusView

urlpatterns = [
    path("heartbeat/status/", HeartbeatStatusView.as_view(), name="heartbeat-status"),
    path("heartbeat/signals/", HeartbeatSignalsView.as_view(), name="heartbeat-signals"),
    path("heartbeat/candles/", HeartbeatCandlesView.as_view(), name="heartbeat-candles"),
]
