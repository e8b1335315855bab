"""Le démon du moteur envoie Telegram : ordre d'une stratégie, SL touché, erreur de stratégie, webhook,
heartbeat en panne (seuil court) — simulateur d'exchange, vrai CCXT, faux serveur de l'API Bot."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from django.utils import timezone

from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, sim  # noqa: F401
from apps.heartbeat.models import HeartbeatStatus
from apps.notifications.models import TelegramMessage
from apps.notifications.texts import signed
from apps.trading.models import Trade
from apps.trading_engine.models import ActiveStrategy, Position
from apps.trading_engine.tests.engine_support import (  # noqa: F401
    CRASHES,
    db,
    long_code,
    make_active,
    running_engine,
    send_signal,
    signal,
    strategy_pool,
    wait_for,
)
from apps.webhooks.services import webhook_config_get_or_create, webhook_receive

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fast_notifications(settings: Any) -> None:
    settings.ARISTOBOT_NOTIFICATIONS_POLL_S = 0.05
    settings.ARISTOBOT_NOTIFICATIONS_PER_CHAT_INTERVAL_S = 0.05
    settings.ARISTOBOT_NOTIFICATIONS_HEARTBEAT_CHECK_S = 0.05


@pytest.fixture
def subscriber(telegram_user):  # noqa: ANN001, ANN201
    """Utilisateur abonné, sans résumé quotidien (l'heure du test est quelconque)."""
    return lambda: telegram_user(telegram_summary_time="")


def _open_position(active_id: int) -> Position | None:
    return Position.objects.filter(active_strategy_id=active_id, status="open").first()


async def test_strategy_order_and_stop_loss_are_sent_by_the_engine(
    sim, make_active, strategy_pool, fake_telegram, subscriber  # noqa: F811
) -> None:
    sim.set_price("BTCUSDT", "60000", freeze=True)
    user = await db(subscriber)()
    active = await db(make_active)(long_code(size=100, sl=0.02, tp=0.04), user=user)
    name = (await ActiveStrategy.objects.select_related("strategy").aget(pk=active.pk)).strategy.name
    async with running_engine(strategy_pool) as engine:
        await send_signal(signal("1m"))
        await wait_for(lambda: fake_telegram.messages, 15, "message de l'achat")
        entry = fake_telegram.texts()[0].splitlines()
        assert entry[0].startswith("✅ Ordre exécuté — Achat 0,00166 BTC/USDT")
        assert entry[-1] == f"Stratégie « {name} » · binance"
        position = await db(_open_position)(active.pk)
        sim.set_price("BTCUSDT", "58700", freeze=True)  # l'OCO exécute son stop
        await engine.monitor.check_all()
        await wait_for(lambda: len(fake_telegram.messages) == 2, 10, "message du stop loss")
    await position.arefresh_from_db()
    lines = fake_telegram.texts()[1].splitlines()
    assert lines[0] == f"🛑 Stop loss touché — BTC/USDT, stratégie « {name} »"
    assert lines[1].startswith("Vendu : 0,00165") and "à 58\u202f700 (entrée à 60\u202f000)" in lines[1]
    exit_trade = await Trade.objects.aget(pk=position.exit_trade_id)
    assert position.realized_pnl < 0
    assert lines[2] == (f"P&L réalisé : {signed(position.realized_pnl)} USDT "
                        f"({signed(exit_trade.profit_loss_pct)} %)")
    assert len(fake_telegram.messages) == 2  # ni jambes OCO, ni vente : la clôture les résume


async def test_strategy_error_is_sent_once(sim, make_active, strategy_pool, fake_telegram, subscriber):  # noqa: F811
    user = await db(subscriber)()
    active = await db(make_active)(CRASHES, user=user)
    async with running_engine(strategy_pool):
        await send_signal(signal("1m", open_time=1_000 * 60_000))
        await wait_for(lambda: fake_telegram.messages, 15, "message d'erreur")
        first_run = (await ActiveStrategy.objects.aget(pk=active.pk)).last_run_at
        await send_signal(signal("1m", open_time=1_001 * 60_000))  # même erreur : pas de second message
        await wait_for(lambda: ActiveStrategy.objects.filter(pk=active.pk, last_run_at__gt=first_run)
                       .aexists(), 15, "second passage")
        await asyncio.sleep(0.3)  # plusieurs passages de l'envoi
    (text,) = fake_telegram.texts()
    assert text.startswith("⚠️ Erreur de la stratégie « ") and "(BTC/USDT, 1m)" in text
    assert "ZeroDivisionError" in text or "division" in text


def _webhook(user: Any, **payload: Any) -> Any:
    config = webhook_config_get_or_create(user=user)
    body = json.dumps({"secret": config.secret, "symbol": "BTCUSDT", **payload}).encode()
    return webhook_receive(token=config.token, raw_body=body, content_type="application/json",
                           remote_addr="127.0.0.1", headers={}).webhook


async def test_webhook_order_is_sent(sim, make_broker, strategy_pool, fake_telegram, subscriber):  # noqa: F811
    sim.set_price("BTCUSDT", "60000", freeze=True)
    broker = await db(make_broker)(user=await db(subscriber)())
    async with running_engine(strategy_pool, webhook_poll_s=0.2):
        webhook = await db(_webhook)(broker.user, action="buy", quantity="0.001", id="tg1")
        await wait_for(lambda: fake_telegram.messages, 15, "message du webhook")
    lines = fake_telegram.texts()[0].splitlines()
    assert lines[0] == "✅ Ordre exécuté — Achat 0,001 BTC/USDT"
    assert lines[-1] == f"Webhook n° {webhook.pk} · binance"


async def test_heartbeat_down_is_sent_once_then_recovery(strategy_pool, fake_telegram, subscriber, settings):  # noqa: F811
    settings.ARISTOBOT_NOTIFICATIONS_HEARTBEAT_DOWN_S = 0.3  # 2 minutes en production
    user = await db(subscriber)()
    await HeartbeatStatus.objects.aupdate_or_create(pk=1, defaults={
        "is_connected": False, "last_message_at": timezone.now(), "last_error": "coupure"})
    async with running_engine(strategy_pool):
        await wait_for(lambda: fake_telegram.messages, 10, "message de panne")
        await wait_for(lambda: TelegramMessage.objects.filter(user_id=user.pk).acount(), 1)
        assert fake_telegram.texts()[0].startswith("🔴 Heartbeat en panne depuis 1 min : flux Binance "
                                                   "déconnecté (coupure).")
        await HeartbeatStatus.objects.filter(pk=1).aupdate(is_connected=True, last_message_at=timezone.now())
        await wait_for(lambda: len(fake_telegram.messages) == 2, 10, "message de retour")
    assert fake_telegram.texts()[1].startswith("🟢 Heartbeat rétabli")
    assert await TelegramMessage.objects.filter(user_id=user.pk).acount() == 2
