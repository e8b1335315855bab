"""API HTTP de la page Heartbeat : état, signaux, bougies, erreurs en français."""

from __future__ import annotations

import pytest

from apps.heartbeat import storage
from apps.heartbeat.aggregator import CandleAggregator, parse_stream_message
from apps.heartbeat.models import HeartbeatStatus
from apps.heartbeat.tests.heartbeat_factories import MINUTE, T0, kline_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_hour() -> list:
    """Une heure de bougies BTCUSDT (toutes unités) enregistrées, chaque bougie signalée."""
    agg = CandleAggregator()
    agg.prime("BTCUSDT", T0)
    candles = []
    for i in range(60):
        candles += agg.feed(parse_stream_message(kline_payload("BTCUSDT", T0 + i * MINUTE)))
    storage.candles_store(candles=candles, now_ms=T0 + 3_600_000, signal_due=lambda c: True)
    return candles


def test_status_returns_the_heartbeat_status_row(logged_client) -> None:  # noqa: ANN001
    HeartbeatStatus.objects.update_or_create(
        pk=1, defaults={"is_connected": True, "symbols": ["BTCUSDT"], "last_error": ""}
    )
    resp = logged_client().get("/api/heartbeat/status/")
    assert resp.status_code == 200
    body = resp.json()
    assert body["is_connected"] is True and body["symbols"] == ["BTCUSDT"]
    assert set(body) >= {"last_heartbeat", "last_message_at", "last_error", "started_at"}
    assert body["timeframes"] == ["1m", "3m", "5m", "10m", "15m", "1h", "2h", "4h"]


def test_signals_are_listed_newest_first_per_timeframe(logged_client, stored_hour) -> None:  # noqa: ANN001
    client = logged_client()
    resp = client.get("/api/heartbeat/signals/?timeframe=5m&limit=3")
    assert resp.status_code == 200
    body = resp.json()
    assert [s["open_time"] for s in body] == [T0 + 55 * MINUTE, T0 + 50 * MINUTE, T0 + 45 * MINUTE]
    assert set(body[0]) == {"timeframe", "symbol", "open_time", "close_time", "sent_at", "backfilled"}
    assert body[0]["close_time"] == T0 + 60 * MINUTE - 1
    everything = client.get("/api/heartbeat/signals/?all=1").json()
    assert list(everything) == ["1m", "3m", "5m", "10m", "15m", "1h", "2h", "4h"]
    assert [len(everything[tf]) for tf in everything] == [60, 20, 12, 6, 4, 1, 0, 0]


def test_candles_are_returned_in_chronological_order(logged_client, stored_hour) -> None:  # noqa: ANN001
    resp = logged_client().get("/api/heartbeat/candles/?symbol=btc/usdt&timeframe=15m&limit=2")
    assert resp.status_code == 200
    body = resp.json()
    assert [c["open_time"] for c in body] == [T0 + 30 * MINUTE, T0 + 45 * MINUTE]
    expected = next(c for c in stored_hour if c.timeframe == "15m" and c.open_time == T0 + 45 * MINUTE)
    assert body[1]["open"] == format(expected.open.normalize(), "f")
    assert body[1]["volume"] == format(expected.volume.normalize(), "f")
    default = logged_client().get("/api/heartbeat/candles/").json()  # BTCUSDT, 1m, 200
    assert len(default) == 60


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("/api/heartbeat/signals/", "obligatoire"),
        ("/api/heartbeat/signals/?timeframe=7m", "timeframe"),
        ("/api/heartbeat/signals/?timeframe=1m&limit=abc", "entier"),
        ("/api/heartbeat/signals/?timeframe=1m&limit=0", "entre 1 et 500"),
        ("/api/heartbeat/candles/?limit=5000", "entre 1 et 1000"),
        ("/api/heartbeat/candles/?symbol=BTC%20USDT;drop", "symbol"),
    ],
)
def test_bad_parameters_get_a_french_400(logged_client, url: str, fragment: str) -> None:  # noqa: ANN001
    resp = logged_client().get(url)
    assert resp.status_code == 400
    assert fragment in resp.json()["detail"]


def test_heartbeat_api_requires_authentication(api_client) -> None:  # noqa: ANN001
    for url in ("/api/heartbeat/status/", "/api/heartbeat/signals/?all=1", "/api/heartbeat/candles/"):
        resp = api_client.get(url)
        assert resp.status_code in (401, 403)
        assert "detail" in resp.json()
