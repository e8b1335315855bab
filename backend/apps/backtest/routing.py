from django.urls import path

from apps.backtest import consumers

websocket_urlpatterns = [
    path("ws/backtest/<int:backtest_id>/", consumers.BacktestConsumer.as_asgi()),
]
