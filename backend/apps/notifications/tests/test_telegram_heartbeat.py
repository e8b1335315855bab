"""Heartbeat en panne ou incohérent depuis 2 minutes → un message ; rétabli → un message ; pas de spam."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.core.models import Alert
from apps.heartbeat.models import HeartbeatStatus
from apps.notifications.config import NotificationsConfig
from apps.notifications.models import TelegramMessage
from apps.notifications.watch import HeartbeatWatch

pytestmark = pytest.mark.django_db(transaction=True)  # la file s'écrit après commit

T0 = dt.datetime(2026, 5, 12, 18, 0, tzinfo=dt.UTC)


def _status(*, connected: bool, last_message: dt.datetime | None, error: str = "") -> None:
    HeartbeatStatus.objects.update_or_create(pk=1, defaults={
        "is_connected": connected, "last_message_at": last_message, "last_error": error})


def _messages(user) -> list[tuple[str, str]]:  # noqa: ANN001
    return list(TelegramMessage.objects.filter(user=user).order_by("id").values_list("kind", "text"))


def test_down_for_two_minutes_then_recovered_sends_two_messages(telegram_user) -> None:  # noqa: ANN001
    user, quiet = telegram_user(), telegram_user(telegram_enabled=False)
    watch = HeartbeatWatch(NotificationsConfig())  # 2 minutes, comme en production
    _status(connected=True, last_message=T0)
    assert watch._check(T0 + dt.timedelta(seconds=10)) == "ok"

    _status(connected=False, last_message=T0, error="ConnectionClosedError: 1006")
    assert watch._check(T0 + dt.timedelta(seconds=20)) == "panne"
    assert watch._check(T0 + dt.timedelta(seconds=139)) == "panne"  # 1 min 59 s : rien encore
    assert _messages(user) == []
    assert watch._check(T0 + dt.timedelta(seconds=140)) == "signalée"
    for seconds in (155, 400, 4000):  # la panne dure : aucun nouveau message
        watch._check(T0 + dt.timedelta(seconds=seconds))
    ((kind, text),) = _messages(user)
    assert kind == "heartbeat_down"
    assert text.startswith("🔴 Heartbeat en panne depuis 2 min : flux Binance déconnecté "
                           "(ConnectionClosedError: 1006).")

    back = T0 + dt.timedelta(seconds=4010)
    _status(connected=True, last_message=back)
    assert watch._check(back) == "ok"
    assert watch._check(back + dt.timedelta(seconds=15)) == "ok"
    assert [k for k, _ in _messages(user)] == ["heartbeat_down", "heartbeat_up"]
    assert _messages(user)[1][1] == ("🟢 Heartbeat rétabli après environ 66 min de panne : signaux de "
                                     "nouveau reçus.")
    assert _messages(quiet) == []


def test_short_glitch_and_restart_do_not_spam(telegram_user) -> None:  # noqa: ANN001
    user = telegram_user()
    watch = HeartbeatWatch(NotificationsConfig(heartbeat_down_s=120))
    _status(connected=True, last_message=T0 - dt.timedelta(seconds=100))  # flux muet depuis 100 s
    assert watch._check(T0) == "panne"
    _status(connected=True, last_message=T0 + dt.timedelta(seconds=60))
    assert watch._check(T0 + dt.timedelta(seconds=61)) == "ok"  # revenu avant 2 min : rien
    assert _messages(user) == []

    _status(connected=True, last_message=T0)
    watch._check(T0 + dt.timedelta(seconds=200))
    watch._check(T0 + dt.timedelta(seconds=330))
    restarted = HeartbeatWatch(NotificationsConfig(heartbeat_down_s=120))  # moteur redémarré
    restarted._check(T0 + dt.timedelta(seconds=400))
    restarted._check(T0 + dt.timedelta(seconds=530))
    ((kind, text),) = _messages(user)
    assert kind == "heartbeat_down" and "aucun message du flux Binance depuis plus de 90 s" in text


def test_incoherent_candles_count_as_a_failure(telegram_user) -> None:  # noqa: ANN001
    user = telegram_user()
    now = timezone.now()
    _status(connected=True, last_message=now)
    alert = Alert.objects.create(kind="candle_gap", message="Trou de 3 bougies 1m", symbol="BTCUSDT")
    watch = HeartbeatWatch(NotificationsConfig(heartbeat_down_s=0))
    assert watch._check(now) == "signalée"
    assert "1 incohérence(s) de bougies non résolue(s)" in _messages(user)[0][1]
    Alert.objects.filter(pk=alert.pk).update(resolved_at=now)
    assert watch._check(now) == "ok"
    assert [k for k, _ in _messages(user)] == ["heartbeat_down", "heartbeat_up"]
