"""Envoi de la file Telegram : 429 et `retry_after`, débit par chat, refus définitifs, messages périmés."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from apps.core.tests.exchange_fixtures import exchange_cleanup  # noqa: F401 — connexions fermées
from apps.notifications.models import TelegramMessage
from apps.notifications.sender import OutboxSender
from apps.notifications.services import telegram_enqueue
from apps.notifications.tests.conftest import drain, fast_config
from apps.notifications.tests.fake_telegram_server import VALID_TOKEN, too_many, unauthorized

pytestmark = pytest.mark.django_db(transaction=True)


async def _queue(user_id: int, *texts: str) -> list[TelegramMessage]:
    for text in texts:
        await sync_to_async(telegram_enqueue)(user_id=user_id, kind="order", text=text)
    return [m async for m in TelegramMessage.objects.filter(user_id=user_id).order_by("id")]


async def _statuses(user_id: int) -> list[str]:
    return [s async for s in TelegramMessage.objects.filter(user_id=user_id).order_by("id")
            .values_list("status", flat=True)]


async def test_429_is_retried_after_retry_after(telegram_user, fake_telegram, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    user = await sync_to_async(telegram_user)()
    (message,) = await _queue(user.pk, "bonjour")
    fake_telegram.queue(too_many(1))
    sender = OutboxSender(fast_config())
    await drain(sender, until=lambda: fake_telegram.messages, timeout=5)
    (first, _), (second, _) = fake_telegram.requests
    times = [at for _, at in fake_telegram.requests]
    assert times[1] - times[0] >= 0.95  # attendu retry_after = 1 s, pas avant
    await message.arefresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)  # un 429 ne compte pas comme essai
    assert "débit limité par Telegram, nouvel essai dans 1 s" in caplog.text
    assert VALID_TOKEN.split(":")[1] not in caplog.text


async def test_one_message_per_second_per_chat_in_order(telegram_user, fake_telegram) -> None:
    user = await sync_to_async(telegram_user)()
    await _queue(user.pk, "un", "deux", "trois")
    sender = OutboxSender(fast_config(per_chat_interval_s=0.3))
    await drain(sender, until=lambda: len(fake_telegram.messages) == 3, timeout=5)
    assert fake_telegram.texts() == ["un", "deux", "trois"]
    gaps = [b.at - a.at for a, b in zip(fake_telegram.messages, fake_telegram.messages[1:], strict=False)]
    assert all(gap >= 0.28 for gap in gaps), gaps


async def test_global_cap_spreads_messages_of_several_chats(telegram_user, fake_telegram) -> None:
    fake_telegram.chats |= {"1001", "1002", "1003"}
    users = [await sync_to_async(telegram_user)(telegram_chat_id=chat) for chat in ("1001", "1002", "1003")]
    for user in users:
        await _queue(user.pk, f"pour {user.telegram_chat_id}")
    sender = OutboxSender(fast_config(global_per_s=2))
    await drain(sender, until=lambda: len(fake_telegram.messages) == 3, timeout=5)
    first, _, third = (m.at for m in fake_telegram.messages)
    assert third - first >= 0.95  # 2 par seconde au plus


async def test_refusals_are_final_and_translated(telegram_user, fake_telegram) -> None:
    user = await sync_to_async(telegram_user)()
    await _queue(user.pk, "refusé", "chat inconnu")
    fake_telegram.queue(unauthorized())
    fake_telegram.chats.clear()
    sender = OutboxSender(fast_config())

    async def both_failed() -> bool:
        return await _statuses(user.pk) == ["failed", "failed"]

    await drain(sender, until=both_failed, timeout=5)
    errors = [e async for e in TelegramMessage.objects.filter(user=user).order_by("id")
              .values_list("last_error", flat=True)]
    assert errors[0].startswith("Jeton du bot refusé par Telegram (« Unauthorized »)")
    assert errors[1].startswith("Chat introuvable (« Bad Request: chat not found »)")
    assert len(fake_telegram.requests) == 2  # aucun nouvel essai


async def test_stale_messages_and_disabled_users_are_dropped(telegram_user, fake_telegram) -> None:
    user = await sync_to_async(telegram_user)()
    old, fresh = await _queue(user.pk, "vieux", "récent")
    await TelegramMessage.objects.filter(pk=old.pk).aupdate(created_at=timezone.now() - dt.timedelta(hours=7))
    sender = OutboxSender(fast_config())
    await drain(sender, until=lambda: fake_telegram.messages)
    assert fake_telegram.texts() == ["récent"]
    await old.arefresh_from_db()
    assert (old.status, old.last_error) == ("dropped", "Périmé : non envoyé à temps.")

    (later,) = [m for m in await _queue(user.pk, "après") if m.text == "après"]
    user.telegram_enabled = False
    await user.asave(update_fields=["telegram_enabled"])
    await sender.drain_once()
    await later.arefresh_from_db()
    assert later.status == "dropped" and fake_telegram.texts() == ["récent"]


async def test_duplicate_events_are_queued_once(telegram_user) -> None:
    user = await sync_to_async(telegram_user)()
    for _ in range(3):
        await sync_to_async(telegram_enqueue)(user_id=user.pk, kind="order", text="x", dedup_key="trade:1")
    assert await TelegramMessage.objects.filter(user=user).acount() == 1
