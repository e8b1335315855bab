"""API des backtests : lancement jusqu'aux résultats, bougies du graphique, validations, isolation."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from apps.backtest.models import BacktestResult
from apps.backtest.tests.support import make_strategy, payload, wait_for
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, threaded_sim  # noqa: F401
from apps.market_data.models import Candle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner(logged_client, make_broker):  # noqa: F811
    client = logged_client()
    broker = make_broker(user=client.user)
    strategy = make_strategy(client.user)
    return client, broker, strategy


def test_launch_downloads_candles_then_stores_all_results(threaded_sim, owner) -> None:  # noqa: F811
    client, broker, strategy = owner
    response = client.post("/api/backtests/", payload(strategy, broker), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["strategy_name"] == "EMA 10/20"
    assert body["exchange"] == "binance" and body["symbol"] == "BTC/USDT"
    row = wait_for(body["id"])
    assert row.status == "done", row.error_message
    assert row.download_progress == 100 and row.progress == 100
    assert Candle.objects.filter(exchange="binance", symbol="BTC/USDT", timeframe="5m").count() == 576
    assert row.stats["candles"] == 576 and row.stats["download"]["missing"] == 576
    assert row.total_trades == len(row.trades_detail) > 0
    assert row.final_amount is not None and row.sharpe_ratio is not None
    assert set(row.trades_detail[0]) >= {"entry_time", "exit_time", "entry_price", "exit_price", "qty",
                                         "fee", "pnl", "pnl_pct", "exit_reason", "balance_after"}
    point = row.equity_curve[-1]
    assert set(point) == {"time", "equity", "drawdown_pct"} and point["drawdown_pct"] >= 0

    detail = client.get(f"/api/backtests/{row.pk}/").json()
    assert detail["trades_detail"] and detail["equity_curve"] and "strategy_code" not in detail
    listing = client.get("/api/backtests/").json()
    assert listing["count"] == 1 and "trades_detail" not in listing["results"][0]

    candles = client.get(f"/api/backtests/{row.pk}/candles/").json()
    assert candles["count"] == 576 and not candles["aggregated"] and candles["bucket_seconds"] == 300
    assert len(candles["candles"]) == 576 and len(candles["candles"][0]) == 6
    # Dates des trades (déduites par le parent des indices de l'enfant) = dates des bougies.
    opened = {time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(c[0])) for c in candles["candles"]}
    for trade in row.trades_detail:
        assert trade["entry_time"] in opened and (trade["exit_time"] in opened or
                                                  trade["exit_reason"] == "end")
    assert 1_000 < candles["candles"][0][4] < 1_000_000  # prix BTC du simulateur
    grouped = client.get(f"/api/backtests/{row.pk}/candles/?max_points=100").json()
    assert grouped["aggregated"] and len(grouped["candles"]) <= 100
    assert grouped["bucket_seconds"] % 300 == 0

    again = client.post("/api/backtests/", payload(strategy, broker), format="json").json()
    second = wait_for(again["id"])
    assert second.status == "done" and second.stats["download"]["missing"] == 0
    assert second.trades_detail == row.trades_detail  # mêmes bougies, mêmes trades


def test_invalid_requests_get_french_errors(owner) -> None:
    client, broker, strategy = owner
    bad_dates = payload(strategy, broker, start_date="2025-02-01", end_date="2025-01-01")
    response = client.post("/api/backtests/", bad_dates, format="json")
    assert response.status_code == 400 and "date de fin" in response.json()["detail"]
    too_long = payload(strategy, broker, timeframe="1m", start_date="2015-01-01", end_date="2025-01-01")
    detail = client.post("/api/backtests/", too_long, format="json").json()["detail"]
    # Nombres au format français : « 5 261 760 bougies » (espaces fines), jamais « 5,260,320 ».
    expected = "Période trop longue : 5\u202f261\u202f760 bougies 1m (maximum 1\u202f100\u202f000)"
    assert detail.startswith(expected), detail
    response = client.post("/api/backtests/", payload(strategy, broker, start_date="hier"), format="json")
    assert response.status_code == 400 and "Date invalide" in str(response.json())
    response = client.post("/api/backtests/", payload(strategy, broker, initial_amount="-5"), format="json")
    assert response.status_code == 400
    assert not BacktestResult.objects.exists()


def test_another_users_backtest_strategy_or_broker_is_not_found(owner, logged_client, make_broker) -> None:  # noqa: F811
    client, broker, strategy = owner
    other = logged_client()
    other_broker = make_broker(user=other.user)
    row = BacktestResult.objects.create(
        user=client.user, strategy=strategy, broker=broker, strategy_name="EMA", exchange="binance",
        symbol="BTC/USDT", timeframe="5m", start_date=timezone.now() - dt.timedelta(days=1),
        end_date=timezone.now(), initial_amount=1000, status="done")
    base = f"/api/backtests/{row.pk}/"
    for method, url in (("get", base), ("post", f"{base}cancel/"), ("get", f"{base}candles/"),
                        ("delete", base)):
        assert getattr(other, method)(url).status_code == 404
    assert other.get("/api/backtests/").json()["count"] == 0
    response = other.post("/api/backtests/", payload(strategy, other_broker), format="json")
    assert response.status_code == 404 and "Stratégie introuvable" in response.json()["detail"]
    mine = make_strategy(other.user)
    response = other.post("/api/backtests/", payload(mine, broker), format="json")
    assert response.status_code == 404 and "Broker introuvable" in response.json()["detail"]
    assert BacktestResult.objects.filter(pk=row.pk).exists()


def test_stale_active_row_is_shown_interrupted_and_fixed_at_next_launch(threaded_sim, owner) -> None:  # noqa: F811
    client, broker, strategy = owner
    old = timezone.now() - dt.timedelta(minutes=5)
    row = BacktestResult.objects.create(
        user=client.user, strategy=strategy, broker=broker, strategy_name="EMA", exchange="binance",
        symbol="BTC/USDT", timeframe="5m", start_date=old - dt.timedelta(days=1), end_date=old,
        initial_amount=1000, status="running", progress=42, heartbeat_at=old)
    listing = client.get("/api/backtests/").json()["results"]
    assert listing[0]["status"] == "error"
    assert "interrompu par un redémarrage" in listing[0]["error_message"]
    detail = client.get(f"/api/backtests/{row.pk}/").json()
    assert (detail["status"], detail["error_message"]) == ("error", listing[0]["error_message"])
    row.refresh_from_db()
    assert row.status == "running"  # une lecture n'écrit rien
    launched = client.post("/api/backtests/", payload(strategy, broker), format="json")
    assert launched.status_code == 201, launched.content
    row.refresh_from_db()
    assert row.status == "error" and row.finished_at is not None
    assert "interrompu par un redémarrage" in row.error_message
    wait_for(launched.json()["id"])


def test_lookahead_is_flagged_and_broken_code_ends_in_a_french_error(threaded_sim, owner) -> None:  # noqa: F811
    from apps.backtest.tests.test_engine_equivalence import LOOKAHEAD, lookahead_strategy

    client, broker, _ = owner
    cheater = make_strategy(client.user, code=lookahead_strategy(LOOKAHEAD["shift"]), name="Triche")
    broken_code = "class Cassee(Strategy):\n    def should_long(self)\n        return True\n"
    broken = make_strategy(client.user, code=broken_code, name="Cassée")
    ids = [client.post("/api/backtests/", payload(s, broker), format="json").json()["id"]
           for s in (cheater, broken)]
    flagged, failed = (wait_for(pk) for pk in ids)
    assert flagged.status == "done" and flagged.lookahead_detected is True
    assert flagged.stats["engine"]["message"].startswith("biais d'anticipation détecté")
    assert flagged.stats["engine"]["mode"] == "exact"
    assert failed.status == "error" and "ligne 2" in failed.error_message
    assert failed.trades_detail == [] and failed.finished_at is not None
