from django.urls import path

from apps.backtest import consumers

websocket_urlpatterns = [
    path("ws/backtest/<int:backtest_id>/", consumers.BacktestConsumer.as_asgi()),
    path("ws/backtest-optimization/<int:optimization_id>/",
         consumers.OptimizationConsumer.as_asgi()),
]
