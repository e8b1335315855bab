"""Résumé quotidien Telegram : à l'heure choisie dans le fuseau de l'utilisateur, une fois par jour."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from apps.core.tests.exchange_fixtures import make_broker  # noqa: F401
from apps.notifications.config import NotificationsConfig
from apps.notifications.models import TelegramMessage
from apps.notifications.summary import DailySummary
from apps.trading.models import Trade
from apps.trading_engine.models import Position
from apps.trading_engine.tests.engine_support import make_active  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)  # la file s'écrit après commit

# 12 mai 2026 à 20:05 à Paris (UTC+2) = 18:05 UTC.
NOW = dt.datetime(2026, 5, 12, 18, 5, tzinfo=dt.UTC)


def _trade(user, at: dt.datetime, **fields) -> Trade:  # noqa: ANN001, ANN003
    values = {"user": user, "exchange": "binance", "source": "manual", "symbol": "BTC/USDT",
              "side": "sell", "status": "filled", "quantity": Decimal("0.001"), "price": Decimal("60000"),
              "cost": Decimal("60"), "client_order_id": uuid.uuid4().hex, "executed_at": at, **fields}
    return Trade.objects.create(**values)


def _position(active, **fields) -> Position:  # noqa: ANN001, ANN003
    entry = _trade(active.user, NOW - dt.timedelta(hours=3), side="buy", source="strategy")
    values = {"user": active.user, "active_strategy": active, "broker": active.broker,
              "symbol": active.symbol, "quantity": Decimal("0.0015"), "entry_price": Decimal("60000"),
              "entry_cost": Decimal("90"), "protection_mode": "watched", "entry_trade": entry,
              "opened_at": NOW - dt.timedelta(hours=3), "last_price": Decimal("61000"),
              "unrealized_pnl": Decimal("1.5"), **fields}
    return Position.objects.create(**values)


def test_daily_summary_content_and_once_per_day(telegram_user, make_active) -> None:  # noqa: ANN001, F811
    user = telegram_user(telegram_timezone="Europe/Paris", telegram_summary_time="20:00")
    active = make_active(user=user)
    _position(active)
    morning = NOW - dt.timedelta(hours=8)
    _trade(user, morning, profit_loss=Decimal("12.5"), profit_loss_pct=Decimal("2.1"))
    _trade(user, morning, profit_loss=Decimal("-2.25"), symbol="ETH/USDT")
    failed = _trade(user, morning, status="error", quantity=0, error_message="Solde insuffisant",
                    executed_at=None)
    Trade.objects.filter(pk=failed.pk).update(created_at=morning)
    _trade(user, NOW - dt.timedelta(days=1), profit_loss=Decimal("1000"))  # hier : hors du jour
    summary = DailySummary(NotificationsConfig())

    assert summary._check(dt.datetime(2026, 5, 12, 17, 59, tzinfo=dt.UTC)) == 0  # 19:59 à Paris
    assert summary._check(NOW) == 1
    assert summary._check(NOW + dt.timedelta(hours=1)) == 0  # une fois par jour
    (message,) = TelegramMessage.objects.filter(user=user)
    assert (message.kind, message.dedup_key) == ("daily_summary", "summary:2026-05-12")
    assert message.text.splitlines() == [
        "📊 Résumé du mardi 12/05/2026 (Europe/Paris)",
        "P&L réalisé du jour : +10,25 USDT (2 clôture(s) : 1 gagnante(s), 1 perdante(s))",
        "Ordres exécutés : 3 · en échec : 1",  # 2 ventes du jour + l'achat de la position
        "Positions ouvertes (1) :",
        f"• BTC/USDT — 0,0015 à 60\u202f000 (stratégie « {active.strategy.name} ») ; latent : +1,50 USDT",
    ]
    assert summary._check(dt.datetime(2026, 5, 13, 18, 0, tzinfo=dt.UTC)) == 1  # le lendemain


def test_no_summary_when_disabled_or_time_empty(telegram_user) -> None:  # noqa: ANN001
    telegram_user(telegram_summary_time="")
    telegram_user(telegram_enabled=False)
    assert DailySummary(NotificationsConfig())._check(NOW) == 0
    assert not TelegramMessage.objects.exists()


def test_empty_day_summary(telegram_user) -> None:  # noqa: ANN001
    user = telegram_user(telegram_summary_time="07:30")
    assert DailySummary(NotificationsConfig())._check(NOW) == 1
    assert TelegramMessage.objects.get(user=user).text.splitlines()[1:] == [
        "P&L réalisé du jour : 0 (0 clôture(s) : 0 gagnante(s), 0 perdante(s))",
        "Ordres exécutés : 0 · en échec : 0",
        "Aucune position ouverte.",
    ]
