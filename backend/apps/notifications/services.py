"""Écritures des notifications : mise en file (après commit) et test depuis Mon Compte.

La mise en file ne fait qu'une lecture et une insertion : elle ne contacte jamais Telegram (le démon
du moteur vide la file). Rien n'est écrit si l'utilisateur n'a pas activé Telegram.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from asgiref.sync import async_to_sync
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.exceptions import AristobotError
from apps.core.ratelimit import SlidingWindowLimiter, wait_text
from apps.notifications import telegram
from apps.notifications.models import TelegramMessage
from apps.notifications.texts import test_text

logger = logging.getLogger(__name__)

#: « Tester » envoie un vrai message : quelques essais par minute et par utilisateur.
TEST_LIMITER = SlidingWindowLimiter(limit=6, window_s=60)


def telegram_enabled_for(user_id: int) -> bool:
    return User.objects.filter(pk=user_id, is_active=True, telegram_enabled=True).exists()


def digest(text: str) -> str:
    """Empreinte courte d'un texte (clés de dé-duplication)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def hour_bucket() -> str:
    """L'heure courante (UTC) : une même erreur n'est signalée qu'une fois par heure."""
    return timezone.now().strftime("%Y%m%d%H")


def telegram_enqueue(*, user_id: int, kind: str, text: str, dedup_key: str = "") -> bool:
    """Met un message en file après le commit de la transaction courante ; False si Telegram est
    désactivé pour cet utilisateur. Un doublon (même `dedup_key`) est ignoré sans erreur."""
    if not telegram_enabled_for(user_id):
        return False
    message = TelegramMessage(user_id=user_id, kind=kind, text=text[: telegram.MAX_TEXT],
                              dedup_key=dedup_key[:160])
    transaction.on_commit(lambda: TelegramMessage.objects.bulk_create([message], ignore_conflicts=True))
    return True


def telegram_test(*, user: User, bot_token: str = "", chat_id: str = "") -> dict[str, Any]:
    """« Tester » : `getMe` puis un message de test, avec les valeurs saisies ou celles du profil.

    Renvoie `{ok, detail}` (détail en français) ; un refus de Telegram n'est pas une erreur HTTP.
    """
    wait = TEST_LIMITER.hit(str(user.pk))
    if wait:
        raise AristobotError(f"Trop de tests Telegram : réessayez dans {wait_text(wait)}.",
                             status_code=429, code="rate_limited")
    token, chat = bot_token or user.telegram_bot_token, chat_id or user.telegram_chat_id
    if not token:
        return {"ok": False, "detail": "Renseignez le jeton du bot (donné par @BotFather)."}
    if not chat:
        return {"ok": False, "detail": "Renseignez le chat id (votre identifiant, ou @canal)."}
    try:
        me = async_to_sync(telegram.get_me)(token)
        name = f"@{me['username']}" if me.get("username") else "votre bot"
        async_to_sync(telegram.send_message)(token, chat, test_text(name))
    except telegram.TelegramError as exc:
        logger.info("Test Telegram de %s en échec : %s", user.username, exc.message)
        return {"ok": False, "detail": exc.message}
    return {"ok": True, "detail": f"Message de test envoyé par {name} au chat {chat} : vérifiez Telegram."}
