"""Tâches de backtest : arrêt en moins d'une seconde, reprise du téléchargement, API réactive,
backtests simultanés."""

from __future__ import annotations

import time

import pytest
from django.db.models import Count

from apps.backtest.jobs import job_worker_pid, local_job_ids
from apps.backtest.models import BacktestResult
from apps.backtest.tests.support import make_strategy, payload, recent_period, slow_code, wait_for
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, threaded_sim  # noqa: F401
from apps.market_data.models import Candle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner(logged_client, make_broker):  # noqa: F811
    client = logged_client()
    return client, make_broker(user=client.user)


def _stopped_within(backtest_id: int, seconds: float) -> float:
    """Attend la fin de la tâche locale (worker tué et récupéré) ; renvoie la durée."""
    started = time.monotonic()
    while backtest_id in local_job_ids():
        assert time.monotonic() - started < seconds, "la tâche tourne encore"
        time.sleep(0.01)
    return time.monotonic() - started


def _pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_cancel_during_computation_kills_the_worker_within_a_second(threaded_sim, owner) -> None:  # noqa: F811
    client, broker = owner
    strategy = make_strategy(client.user, code=slow_code(0.02), name="Lente")
    created = client.post("/api/backtests/", payload(strategy, broker), format="json").json()
    wait_for(created["id"], ("running",), check=lambda r: r.progress > 0)
    pid = job_worker_pid(created["id"])
    assert pid is not None and _pid_alive(pid)
    started = time.monotonic()
    response = client.post(f"/api/backtests/{created['id']}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    _stopped_within(created["id"], 1.0)
    assert time.monotonic() - started < 1.0
    assert not _pid_alive(pid)
    row = BacktestResult.objects.get(pk=created["id"])
    assert row.status == "cancelled" and row.trades_detail == [] and 0 < row.progress < 100
    again = client.post(f"/api/backtests/{created['id']}/cancel/")
    assert again.status_code == 200 and again.json()["status"] == "cancelled"


def test_cancel_seen_from_another_process_stops_the_task_within_a_second(threaded_sim, owner) -> None:  # noqa: F811
    client, broker = owner
    strategy = make_strategy(client.user, code=slow_code(0.02), name="Lente")
    created = client.post("/api/backtests/", payload(strategy, broker), format="json").json()
    wait_for(created["id"], ("running",), check=lambda r: r.progress > 0)
    pid = job_worker_pid(created["id"])
    # Un autre processus Daphne annule : seule la base change, pas d'appel à la tâche locale.
    BacktestResult.objects.filter(pk=created["id"]).update(status="cancelled")
    assert _stopped_within(created["id"], 1.0) < 1.0
    assert not _pid_alive(pid)
    assert BacktestResult.objects.get(pk=created["id"]).status == "cancelled"


def test_interrupted_download_resumes_without_refetching_or_duplicates(threaded_sim, owner) -> None:  # noqa: F811
    client, broker = owner
    strategy = make_strategy(client.user)
    start, end = recent_period(days=5, timeframe_minutes=1)  # 7 200 bougies : 8 pages
    body = payload(strategy, broker, timeframe="1m", start_date=start.isoformat(),
                   end_date=end.isoformat())
    threaded_sim.admin("latency", {"ms": 400})
    first = client.post("/api/backtests/", body, format="json").json()
    wait_for(first["id"], ("downloading",), check=lambda r: r.download_progress > 0)
    started = time.monotonic()
    assert client.post(f"/api/backtests/{first['id']}/cancel/").json()["status"] == "cancelled"
    assert _stopped_within(first["id"], 1.0) < 1.0
    assert time.monotonic() - started < 1.0
    stored = Candle.objects.filter(exchange="binance", symbol="BTC/USDT", timeframe="1m").count()
    assert 0 < stored < 7200 and stored % 1000 == 0  # pages entières, enregistrées une à une
    assert BacktestResult.objects.get(pk=first["id"]).download_progress < 100

    threaded_sim.admin("latency", {"ms": 0})
    second = client.post("/api/backtests/", body, format="json").json()
    row = wait_for(second["id"])
    assert row.status == "done", row.error_message
    assert row.stats["download"]["missing"] == 7200 - stored  # rien de retéléchargé
    candles = Candle.objects.filter(exchange="binance", symbol="BTC/USDT", timeframe="1m")
    assert candles.count() == 7200 == row.stats["candles"]
    assert not candles.values("open_time").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_api_answers_quickly_while_a_backtest_runs(threaded_sim, owner) -> None:  # noqa: F811
    client, broker = owner
    # Lit self.balance : décidée bougie par bougie (la passe vectorisée ne calculerait qu'une fois)
    busy = slow_code(0).replace("time.sleep(0)", "self.balance and sum(i * i for i in range(40000))")
    strategy = make_strategy(client.user, code=busy, name="Calcul")
    start, end = recent_period(days=3, timeframe_minutes=1)
    created = client.post("/api/backtests/", payload(strategy, broker, timeframe="1m",
                                                     start_date=start.isoformat(),
                                                     end_date=end.isoformat()), format="json").json()
    latencies: list[tuple[str, float]] = []
    while True:
        for url in (f"/api/backtests/{created['id']}/", "/api/backtests/", "/api/auth/me/"):
            began = time.monotonic()
            response = client.get(url)
            latencies.append((url, time.monotonic() - began))
            assert response.status_code == 200
        status = BacktestResult.objects.get(pk=created["id"]).status
        if status not in BacktestResult.ACTIVE_STATUSES:
            break
        time.sleep(0.05)
    assert status == "done"
    assert len(latencies) > 30  # le calcul a duré : mesures faites pendant qu'il tournait
    worst = max(latencies, key=lambda item: item[1])
    assert worst[1] < 1.0, worst


def test_two_users_run_backtests_at_the_same_time(threaded_sim, logged_client, make_broker) -> None:  # noqa: F811
    clients = [logged_client() for _ in range(2)]
    ids = []
    for client in clients:
        broker = make_broker(user=client.user)
        strategy = make_strategy(client.user, code=slow_code(0.002), name=f"S{client.user.pk}")
        ids.append(client.post("/api/backtests/", payload(strategy, broker), format="json").json()["id"])
    seen_together = False
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not seen_together:
        statuses = list(BacktestResult.objects.filter(pk__in=ids).values_list("status", flat=True))
        seen_together = statuses == ["running", "running"]
        if any(s not in BacktestResult.ACTIVE_STATUSES for s in statuses):
            break
        time.sleep(0.02)
    rows = [wait_for(pk) for pk in ids]
    assert [r.status for r in rows] == ["done", "done"], [r.error_message for r in rows]
    assert seen_together  # les deux calculs ont tourné en même temps
    assert rows[0].trades_detail == rows[1].trades_detail  # mêmes bougies, même stratégie
    assert Candle.objects.filter(exchange="binance", timeframe="5m").count() == 576
    for client, pk in zip(clients, ids, strict=True):
        listed = [r["id"] for r in client.get("/api/backtests/").json()["results"]]
        assert listed == [pk]
