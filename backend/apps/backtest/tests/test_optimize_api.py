"""Optimisations depuis l'application : API REST, tâche de fond, WebSocket, « Appliquer »."""

from __future__ import annotations

import time

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from apps.backtest.engine.optimize import best_run
from apps.backtest.models import BacktestOptimization, BacktestResult
from apps.backtest.optimize_jobs import local_optimization_ids
from apps.backtest.tests.support import TERMINAL, make_strategy, payload, wait_for
from apps.backtest.tests.test_optimize import SLOW
from apps.backtest.worker_process import backtest_sandbox
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, threaded_sim  # noqa: F401
from apps.strategies.templates import STRATEGY_TEMPLATE
from aristobot.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/backtest-optimizations/"
GRID = "fast=8:12:2,slow=20:30:10"  # 3 × 2 = 6 combinaisons, dont les valeurs du code (10, 20)


@pytest.fixture
def owner(logged_client, make_broker):  # noqa: F811
    client = logged_client()
    broker = make_broker(user=client.user)
    strategy = make_strategy(client.user)
    return client, broker, strategy


def wait_optimization(row_id: int, statuses: tuple[str, ...] = TERMINAL, timeout: float = 120,
                      check: object = None) -> BacktestOptimization:
    deadline = time.monotonic() + timeout
    while True:
        row = BacktestOptimization.objects.get(pk=row_id)
        if row.status in statuses and (check is None or check(row)):
            return row
        if time.monotonic() > deadline:
            raise AssertionError(f"optimisation {row_id} : {row.status} après {timeout} s ; "
                                 f"{row.error_message}")
        time.sleep(0.05)


def test_grid_runs_completely_best_is_the_max_and_apply_reruns_it(threaded_sim, owner) -> None:  # noqa: F811
    client, broker, strategy = owner
    response = client.post(URL, payload(strategy, broker, grid=GRID, metric="total_pnl_pct"),
                           format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "pending" and created["runs_total"] == 6 and "result" in created
    row = wait_optimization(created["id"])
    assert row.status == "done", row.error_message
    assert row.runs_done == row.runs_total == 6 and row.progress == 100
    result = row.result
    combos = {(run["params"]["fast"], run["params"]["slow"]) for run in result["runs"]}
    assert combos == {(f, s) for f in (8, 10, 12) for s in (20, 30)}
    assert all("stats" in run and "error" not in run for run in result["runs"])
    best = result["best"]
    assert best == {**best, "params": best_run(result["runs"], "total_pnl_pct")["params"]}
    assert best["value"] == max(run["stats"]["total_pnl_pct"] for run in result["runs"])
    assert result["grid"] == {"fast": [8, 10, 12], "slow": [20, 30]} and result["candles"] == 576

    listing = client.get(URL).json()
    assert listing["count"] == 1 and "result" not in listing["results"][0]
    detail = client.get(f"{URL}{row.pk}/").json()
    assert detail["result"]["best"]["params"] == best["params"] and "strategy_code" not in detail

    # Valeurs du code = backtest ordinaire ; « Appliquer » = backtest complet avec ces valeurs.
    plain = wait_for(client.post("/api/backtests/", payload(strategy, broker), format="json").json()["id"])
    default_run = next(run for run in result["runs"] if run["params"] == {"fast": 10, "slow": 20})
    assert float(plain.final_amount) == pytest.approx(default_run["stats"]["final_amount"], abs=1e-6)
    assert plain.total_trades == default_run["stats"]["total_trades"] and plain.params == {}
    applied = client.post("/api/backtests/", payload(strategy, broker, params=best["params"]),
                          format="json")
    assert applied.status_code == 201 and applied.json()["params"] == best["params"]
    again = wait_for(applied.json()["id"])
    assert again.status == "done" and again.params == best["params"]
    assert float(again.final_amount) == pytest.approx(best["stats"]["final_amount"], abs=1e-6)
    assert again.total_trades == best["stats"]["total_trades"]


def test_out_of_sample_split_reports_the_unseen_part(threaded_sim, owner) -> None:  # noqa: F811
    client, broker, strategy = owner
    body = payload(strategy, broker, grid="fast=8:10:2", metric="final_amount", test_ratio=0.3,
                   params={"slow": 30})
    row = wait_optimization(client.post(URL, body, format="json").json()["id"])
    assert row.status == "done", row.error_message
    result = row.result
    assert result["train_candles"] + result["test_candles"] == 576
    assert result["test_candles"] == round(576 * 0.3)
    assert all(run["params"]["slow"] == 30 for run in result["runs"])
    assert set(result["best"]["test_stats"]) >= {"final_amount", "total_trades", "sharpe_ratio"}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"grid": "vitesse=1:3:1"}, "Paramètre inconnu : « vitesse »"),
    ({"grid": "fast=5:1:1"}, "vide"),
    ({"grid": "fast=1:10000:1,slow=1:3:1"}, "Grille trop grande"),
    ({"grid": GRID, "params": {"fast": 3}}, "à la fois fixe et dans la grille"),
    ({"grid": GRID, "params": {"fast": "vite"}}, "valeur non numérique"),
    ({"grid": "fast=5:30:0"}, "pas doit être strictement positif"),
])
def test_invalid_grids_are_refused_in_french_before_any_work(owner, overrides, message) -> None:
    client, broker, strategy = owner
    response = client.post(URL, payload(strategy, broker, **overrides), format="json")
    assert response.status_code == 400 and message in response.json()["detail"], response.json()
    assert not BacktestOptimization.objects.exists()


def test_strategy_without_parameters_and_bad_fields(owner) -> None:
    client, broker, strategy = owner
    bare = make_strategy(client.user, code=STRATEGY_TEMPLATE, name="Sans paramètre")
    response = client.post(URL, payload(bare, broker, grid="fast=1:3:1"), format="json")
    assert response.status_code == 400
    assert "aucun paramètre à optimiser" in response.json()["detail"]
    for overrides, field in (({"metric": "gain"}, "metric"), ({"max_runs": 0}, "max_runs"),
                             ({"test_ratio": 0.9}, "test_ratio"), ({"grid": ""}, "grid")):
        response = client.post(URL, payload(strategy, broker, **{"grid": GRID, **overrides}),
                               format="json")
        assert response.status_code == 400 and field in response.json()["errors"], response.json()
    assert not BacktestOptimization.objects.exists()


def test_cancel_mid_grid_leaves_no_child_and_another_user_sees_nothing(
        threaded_sim, owner, logged_client) -> None:  # noqa: F811
    client, broker, _ = owner
    slow = make_strategy(client.user, code=SLOW, name="Lente")
    body = payload(slow, broker, grid="pause=0.01:0.04:0.01", metric="final_amount")
    created = client.post(URL, body, format="json").json()
    assert client.post(URL, body, format="json").status_code == 409  # une seule à la fois
    wait_optimization(created["id"], ("running",), check=lambda r: r.progress > 0 or r.runs_done)
    sandbox = backtest_sandbox()
    deadline = time.monotonic() + 30
    while not sandbox.live_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    pids = sandbox.live_pids()
    assert pids, "aucun enfant de calcul"

    intruder = logged_client()
    assert intruder.post(f"{URL}{created['id']}/cancel/").status_code == 404
    assert intruder.get(f"{URL}{created['id']}/").status_code == 404
    assert intruder.get(URL).json()["count"] == 0

    response = client.post(f"{URL}{created['id']}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    deadline = time.monotonic() + 5
    while (sandbox.live_pids() or created["id"] in local_optimization_ids()) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandbox.live_pids() == [] and created["id"] not in local_optimization_ids()
    row = BacktestOptimization.objects.get(pk=created["id"])
    assert row.status == "cancelled" and row.result is None
    assert client.delete(f"{URL}{created['id']}/").status_code == 204
    assert not BacktestOptimization.objects.exists() and not BacktestResult.objects.exists()


async def test_websocket_reports_runs_until_done_and_refuses_others(
        threaded_sim, owner, make_user) -> None:  # noqa: F811
    client, broker, strategy = owner

    @database_sync_to_async
    def launch() -> int:
        return client.post(URL, payload(strategy, broker, grid=GRID), format="json").json()["id"]

    row_id = await launch()
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns),
                                         f"/ws/backtest-optimization/{row_id}/")
    communicator.scope["user"] = client.user
    assert (await communicator.connect())[0]
    messages = []
    while True:
        message = await communicator.receive_json_from(timeout=60)
        messages.append(message)
        if message["type"] != "optimization.progress":
            break
    await communicator.disconnect()
    assert messages[-1]["type"] == "optimization.done", messages[-1]
    assert messages[-1]["total_runs"] == 6 and messages[-1]["best"]["params"]
    progress = [m for m in messages if m["type"] == "optimization.progress"]
    assert progress and all(m["runs_total"] == 6 and m["optimization_id"] == row_id for m in progress)
    assert [m["runs_done"] for m in progress] == sorted(m["runs_done"] for m in progress)

    stranger = WebsocketCommunicator(URLRouter(websocket_urlpatterns),
                                     f"/ws/backtest-optimization/{row_id}/")
    stranger.scope["user"] = await database_sync_to_async(make_user)()
    await stranger.connect()
    assert (await stranger.receive_output(timeout=5))["code"] == 4404
    again = WebsocketCommunicator(URLRouter(websocket_urlpatterns),
                                  f"/ws/backtest-optimization/{row_id}/")
    again.scope["user"] = client.user
    assert (await again.connect())[0]
    snapshot = await again.receive_json_from(timeout=5)
    assert snapshot["type"] == "optimization.done" and snapshot["best"] == messages[-1]["best"]
    await again.disconnect()
