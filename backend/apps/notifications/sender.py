"""Envoi de la file Telegram, dans le démon du moteur de trading (tâche `engine-notifications`).

- Débit : un message par seconde et par chat (`per_chat_interval_s`), `global_per_s` au total ;
  l'ordre d'arrivée est gardé dans un chat.
- 429 : le message et son chat attendent `parameters.retry_after` secondes (essai non compté).
- Réseau, délai, 5xx : nouvel essai après 2 s, 4 s, 8 s… (`backoff_*`), abandon après
  `max_attempts` essais. Refus définitif (jeton, chat introuvable, bot bloqué) : `failed`.
- Un message plus vieux que `max_age_s`, ou dont l'utilisateur a désactivé Telegram, est abandonné.
- Ni le jeton ni l'URL d'appel ne sont journalisés : seulement les messages français des erreurs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import Callable

import httpx
from asgiref.sync import sync_to_async
from django.utils import timezone

from apps.core.aio import wait_event
from apps.notifications import telegram
from apps.notifications.config import NotificationsConfig
from apps.notifications.models import TelegramMessage
from apps.notifications.selectors import HEARTBEAT_KINDS, due_messages

logger = logging.getLogger("aristobot.notifications")

PURGE_EVERY_S = 3600.0
Status = TelegramMessage.Status


class OutboxSender:
    """`drain_once()` fait un passage sur la file ; `run(stop)` le répète."""

    def __init__(self, config: NotificationsConfig, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.clock = clock
        self.client: httpx.AsyncClient | None = None
        self._chat_ready: dict[str, float] = {}  # chat → instant (horloge monotone) du prochain envoi
        self._recent: deque[float] = deque()  # envois de la dernière seconde (plafond global)
        self._purged_at: float | None = None
        self.sent = 0

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(timeout=telegram.TIMEOUT_S, follow_redirects=False) as client:
            self.client = client
            while not stop.is_set():
                delay = self.config.poll_s
                try:
                    delay = await self.drain_once()
                except asyncio.CancelledError:
                    raise
                except Exception:  # noqa: BLE001 — base indisponible un moment : nouvel essai
                    logger.exception("File Telegram : passage en échec (nouvel essai)")
                await wait_event(stop, delay)

    async def drain_once(self) -> float:
        """Envoie ce qui peut partir maintenant ; renvoie l'attente conseillée avant le passage suivant."""
        now = timezone.now()
        await self._housekeeping(now)
        rows = await sync_to_async(due_messages)(now=now, limit=self.config.batch)
        next_in = self.config.poll_s
        for message in rows:
            user = message.user
            if not (user.is_active and user.telegram_enabled and user.telegram_bot_token
                    and user.telegram_chat_id):
                await self._close(message, Status.DROPPED, "Telegram désactivé ou incomplet.")
                continue
            chat = f"{user.pk}:{user.telegram_chat_id}"
            wait = self._chat_ready.get(chat, 0.0) - self.clock()
            if wait > 0:
                next_in = min(next_in, wait)
                continue
            wait = self._global_wait()
            if wait > 0:
                return min(next_in, wait)
            await self._send(message, user.telegram_bot_token, user.telegram_chat_id, chat)
        return max(0.05, next_in)

    def _global_wait(self) -> float:
        now = self.clock()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) < self.config.global_per_s:
            return 0.0
        return 1.0 - (now - self._recent[0])

    async def _send(self, message: TelegramMessage, token: str, chat_id: str, chat: str) -> None:
        self._recent.append(self.clock())
        self._chat_ready[chat] = self.clock() + self.config.per_chat_interval_s
        try:
            await telegram.send_message(token, chat_id, message.text, client=self.client)
        except telegram.TelegramError as exc:
            await self._failed(message, exc, chat)
            return
        self.sent += 1
        message.status, message.sent_at, message.last_error = Status.SENT, timezone.now(), ""
        message.attempts += 1
        await message.asave(update_fields=["status", "sent_at", "last_error", "attempts"])

    async def _failed(self, message: TelegramMessage, exc: telegram.TelegramError, chat: str) -> None:
        message.last_error = exc.message
        label = f"Telegram : message {message.pk} ({message.kind})"
        if exc.retry_after is not None:  # 429 : le chat entier attend
            self._chat_ready[chat] = self.clock() + exc.retry_after
            message.next_attempt_at = timezone.now() + dt.timedelta(seconds=exc.retry_after)
            logger.warning("%s : débit limité par Telegram, nouvel essai dans %g s", label, exc.retry_after)
            await message.asave(update_fields=["last_error", "next_attempt_at"])
            return
        message.attempts += 1
        if exc.permanent or message.attempts >= self.config.max_attempts:
            logger.warning("%s abandonné : %s", label, exc.message)
            await self._close(message, Status.FAILED, exc.message)
            return
        delay = min(self.config.backoff_initial_s * 2 ** (message.attempts - 1), self.config.backoff_max_s)
        message.next_attempt_at = timezone.now() + dt.timedelta(seconds=delay)
        logger.warning("%s non envoyé (essai %d) : %s — nouvel essai dans %g s", label,
                       message.attempts, exc.message, delay)
        await message.asave(update_fields=["last_error", "next_attempt_at", "attempts"])

    async def _close(self, message: TelegramMessage, status: str, reason: str) -> None:
        message.status, message.last_error = status, reason
        await message.asave(update_fields=["status", "last_error", "attempts"])

    async def _housekeeping(self, now: dt.datetime) -> None:
        """Messages périmés abandonnés ; anciennes lignes supprimées (une fois par heure)."""
        too_old = now - dt.timedelta(seconds=self.config.max_age_s)
        stale = await TelegramMessage.objects.filter(status=Status.PENDING, created_at__lt=too_old).aupdate(
            status=Status.DROPPED, last_error="Périmé : non envoyé à temps.")
        if stale:
            logger.warning("File Telegram : %d message(s) périmé(s) abandonné(s)", stale)
        if self._purged_at is not None and self.clock() - self._purged_at < PURGE_EVERY_S:
            return
        self._purged_at = self.clock()
        keep = now - dt.timedelta(days=self.config.retention_days)
        # Les messages heartbeat restent : le dernier dit si un retour à la normale est à annoncer.
        await (TelegramMessage.objects.filter(created_at__lt=keep).exclude(status=Status.PENDING)
               .exclude(kind__in=HEARTBEAT_KINDS).adelete())
