"""Ordres → Telegram : simulateur d'exchange + vrai CCXT, file durable, faux serveur de l'API Bot."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, sim  # noqa: F401
from apps.notifications.models import TelegramMessage
from apps.notifications.sender import OutboxSender
from apps.notifications.tests.conftest import drain, fast_config
from apps.notifications.tests.fake_telegram_server import VALID_CHAT, VALID_TOKEN, server_error
from apps.strategies.tests.fake_ai_server import closed_port_url
from apps.trading.models import Trade
from apps.trading.services import hooks
from apps.trading.services.orders import order_place

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "s3cret-de-test"


@pytest.fixture
def account(sim, make_broker, telegram_user):  # noqa: ANN001, ANN201, F811
    """Fabrique : un broker du simulateur (BTC figé à 60 000) d'un utilisateur abonné à Telegram."""
    sim.set_price("BTCUSDT", "60000", freeze=True)

    async def _make(**prefs: Any) -> Any:
        key = f"key-{uuid.uuid4().hex[:10]}"
        sim.set_account(key, SECRET, {"USDT": "10000", "BTC": "1"})
        user = await sync_to_async(telegram_user)(**prefs)
        return await sync_to_async(make_broker)(user=user, api_key=key, api_secret=SECRET)

    return _make


async def _outbox(user_id: int) -> list[TelegramMessage]:
    return [m async for m in TelegramMessage.objects.filter(user_id=user_id).order_by("id")]


async def test_executed_manual_order_is_sent_to_telegram(sim, account, fake_telegram) -> None:  # noqa: F811
    broker = await account()
    trade = await order_place(broker=broker, symbol="BTCUSDT", side="buy", quantity="0.001")
    assert trade.status == Trade.Status.FILLED
    (queued,) = await _outbox(broker.user_id)
    assert (queued.kind, queued.status, queued.dedup_key) == ("order", "pending", f"trade:{trade.pk}:filled")
    await drain(OutboxSender(fast_config()), until=lambda: fake_telegram.messages)
    (message,) = fake_telegram.messages
    assert message.chat_id == int(VALID_CHAT)
    assert message.text.splitlines() == [
        "✅ Ordre exécuté — Achat 0,001 BTC/USDT",
        "Prix moyen : 60\u202f000 · montant : 60 USDT · frais : 0,06 USDT",
        "Ordre manuel · binance",
    ]
    await queued.arefresh_from_db()
    assert queued.status == "sent" and queued.sent_at is not None and queued.attempts == 1


async def test_failed_order_is_notified_once_per_hour(sim, account, fake_telegram) -> None:  # noqa: F811
    broker = await account()
    for _ in range(3):  # même refus répété : un seul message
        trade = await order_place(broker=broker, symbol="BTCUSDT", side="buy", quantity="5")
        assert trade.status == Trade.Status.ERROR
    (queued,) = await _outbox(broker.user_id)
    await drain(OutboxSender(fast_config()), until=lambda: fake_telegram.messages)
    lines = fake_telegram.texts()[0].splitlines()
    assert lines[0] == "❌ Ordre en échec — Achat BTC/USDT"
    assert lines[1] == trade.error_message and "insuffisant" in lines[1].lower()


async def test_nothing_is_queued_when_the_switch_is_off(sim, account, fake_telegram) -> None:  # noqa: F811
    broker = await account(telegram_enabled=False)
    trade = await order_place(broker=broker, symbol="BTCUSDT", side="buy", quantity="0.001")
    assert trade.status == Trade.Status.FILLED
    assert await _outbox(broker.user_id) == []
    await OutboxSender(fast_config()).drain_once()
    assert fake_telegram.requests == []


async def test_a_failing_telegram_never_delays_or_breaks_an_order(sim, account, settings, caplog) -> None:  # noqa: F811
    broker = await account()
    settings.ARISTOBOT_TELEGRAM_API_URL = closed_port_url()  # Telegram injoignable
    started = time.perf_counter()
    trade = await order_place(broker=broker, symbol="BTCUSDT", side="buy", quantity="0.001")
    assert trade.status == Trade.Status.FILLED and time.perf_counter() - started < 2.0
    (queued,) = await _outbox(broker.user_id)

    async def given_up() -> bool:
        await queued.arefresh_from_db()
        return queued.status == "failed"

    await drain(OutboxSender(fast_config(max_attempts=3)), until=given_up, timeout=5)
    assert queued.attempts == 3 and queued.last_error.startswith("Telegram injoignable à http://127.0.0.1:")
    assert "essai 1" in caplog.text and "abandonné" in caplog.text
    assert VALID_TOKEN.split(":")[1] not in caplog.text


async def test_a_broken_hook_is_logged_and_the_order_is_returned(sim, account, settings, caplog) -> None:  # noqa: F811
    async def broken(trade: Any) -> None:
        raise RuntimeError("crochet cassé")

    async def slow(trade: Any) -> None:
        import asyncio

        await asyncio.sleep(30)

    settings.ARISTOBOT_TRADE_HOOKS = ["apps.notifications.tests.test_telegram_orders.BROKEN",
                                      "apps.notifications.tests.test_telegram_orders.SLOW"]
    global BROKEN, SLOW
    BROKEN, SLOW = broken, slow
    hooks._hooks.cache_clear()
    broker = await account()
    started = time.perf_counter()
    trade = await order_place(broker=broker, symbol="BTCUSDT", side="buy", quantity="0.001")
    assert trade.status == Trade.Status.FILLED
    assert time.perf_counter() - started < hooks.HOOK_TIMEOUT_S + 1.5
    assert "crochet" in caplog.text.lower() and "l'ordre n'est pas affecté" in caplog.text
    stored = await Trade.objects.aget(pk=trade.pk)
    assert stored.status == Trade.Status.FILLED
    hooks._hooks.cache_clear()


async def test_telegram_server_errors_are_retried_then_sent(sim, account, fake_telegram) -> None:  # noqa: F811
    broker = await account()
    await order_place(broker=broker, symbol="BTCUSDT", side="buy", quantity="0.001")
    fake_telegram.queue(server_error())
    sender = OutboxSender(fast_config())
    await drain(sender, until=lambda: fake_telegram.messages)
    (queued,) = await _outbox(broker.user_id)
    assert (queued.status, queued.attempts) == ("sent", 2)
    assert [method for method, _ in fake_telegram.requests] == ["sendMessage", "sendMessage"]


BROKEN: Any = None
SLOW: Any = None
