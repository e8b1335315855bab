"""API des notifications : le test Telegram de Mon Compte."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.notifications.serializers import TelegramTestResultSerializer, TelegramTestSerializer
from apps.notifications.services import telegram_test


class TelegramTestView(APIView):
    """Envoie un message de test (valeurs saisies ou profil) ; `{ok, detail}` en français."""

    @extend_schema(request=TelegramTestSerializer, responses=TelegramTestResultSerializer,
                   summary="Tester Telegram : getMe puis un message de test au chat")
    def post(self, request: Request) -> Response:
        serializer = TelegramTestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return Response(telegram_test(user=request.user, bot_token=data.get("telegram_bot_token", ""),
                                      chat_id=data.get("telegram_chat_id", "")))
