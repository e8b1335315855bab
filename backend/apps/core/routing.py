from django.urls import path

from apps.core import consumers

websocket_urlpatterns = [
    path("ws/heartbeat/", consumers.LiveConsumer.as_asgi()),
]
