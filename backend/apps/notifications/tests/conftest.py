"""Fixtures des tests Telegram : faux serveur de l'API Bot, utilisateur abonné, envoi de la file."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from apps.notifications.config import NotificationsConfig
from apps.notifications.sender import OutboxSender
from apps.notifications.tests.fake_telegram_server import VALID_CHAT, VALID_TOKEN, FakeTelegramServer


@pytest.fixture
def fake_telegram(settings: Any) -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer() as server:
        settings.ARISTOBOT_TELEGRAM_API_URL = server.url
        yield server


@pytest.fixture
def telegram_user(make_user: Callable[..., Any]) -> Callable[..., Any]:
    """Fabrique (synchrone) : un utilisateur dont Telegram est configuré et activé."""

    def _make(**prefs: Any) -> Any:
        values = {"telegram_bot_token": VALID_TOKEN, "telegram_chat_id": VALID_CHAT,
                  "telegram_enabled": True, **prefs}
        return make_user(**values)

    return _make


def fast_config(**overrides: Any) -> NotificationsConfig:
    """Délais courts pour les tests (un message toutes les 0,2 s par chat)."""
    values: dict[str, Any] = {"poll_s": 0.05, "per_chat_interval_s": 0.2, "backoff_initial_s": 0.1,
                              "backoff_max_s": 0.5, "heartbeat_check_s": 0.05, "summary_check_s": 0.05}
    return NotificationsConfig(**{**values, **overrides})


async def drain(sender: OutboxSender, *, until: Callable[[], Any], timeout: float = 10.0) -> None:
    """Passages de l'envoi jusqu'à `until()` (vrai ; fonction ou coroutine), sans la boucle du démon."""
    import asyncio
    import inspect

    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        sender.client = client
        while True:
            delay = await sender.drain_once()
            done = until()
            if inspect.isawaitable(done):
                done = await done
            if done:
                return
            if time.monotonic() > deadline:
                raise AssertionError("délai dépassé en vidant la file Telegram")
            await asyncio.sleep(min(delay, 0.1))
