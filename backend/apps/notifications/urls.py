from django.urls import path

from apps.notifications.views import TelegramTestView

urlpatterns = [
    path("telegram/test/", TelegramTestView.as_view(), name="telegram-test"),
]
