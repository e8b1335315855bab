"""Optimisation des paramètres : valeurs imposées, grille, pool confiné, annulation, CLI."""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.backtest.engine import BacktestCancelled, BacktestError, run_backtest
from apps.backtest.engine.optimize import best_run, grid_combinations, parse_grid
from apps.backtest.engine.params import apply_params, parameter_specs
from apps.backtest.optimize import optimize_run
from apps.backtest.tests import test_engine_cli
from apps.backtest.tests.factories import random_candles
from apps.backtest.worker_process import (
    backtest_request,
    backtest_run_sandboxed,
    backtest_sandbox,
    frame_arrays,
)
from apps.strategies.runtime.loader import load_strategy_class
from apps.strategies.templates import EMA_CROSS_EXAMPLE, SPEC_EMA_CROSS_EXAMPLE

SPECS = parameter_specs(EMA_CROSS_EXAMPLE)
write_csv = test_engine_cli.write_csv
db_setup = test_engine_cli.db_setup  # fixture : broker, stratégie EMA, 200 bougies 15m en base

SLOW = '''import time

class Lente(Strategy):
    pause = 0.05

    def __init__(self, candles, balance, position=None):
        self.candles = candles
        self.balance = balance
        self.position = position

    def should_long(self) -> bool:
        time.sleep(self.pause)
        return False

    def should_short(self) -> bool:
        return False

    def calculate_position_size(self) -> float:
        return 0.0

    def calculate_stop_loss(self) -> float:
        return 0.0

    def calculate_take_profit(self) -> float:
        return 0.0
'''

LOOKAHEAD = EMA_CROSS_EXAMPLE.replace("    slow = 20  #", "    look = 0\n    slow = 20  #").replace(
    'length=self.slow)', 'length=self.slow).shift(-self.look)')


@pytest.fixture(scope="module")
def arrays():
    from apps.backtest.engine import prepare_candles
    return frame_arrays(prepare_candles(random_candles(400, seed=5, vol=0.01)))


def _trades(output):
    return [(t.entry_time, t.exit_time, t.entry_price, t.exit_price) for t in output.trades]


def test_default_params_give_exactly_the_plain_run():
    candles = random_candles(500, seed=2)
    plain = run_backtest(EMA_CROSS_EXAMPLE, candles, initial_amount=1000)
    for params in (None, {}, {"fast": 10, "slow": 20}, {"fast": "10", "slow": 20.0}):
        cls = apply_params(load_strategy_class(EMA_CROSS_EXAMPLE), EMA_CROSS_EXAMPLE, params)
        out = run_backtest(cls, candles, initial_amount=1000)
        assert _trades(out) == _trades(plain) and out.stats == plain.stats
    other = apply_params(load_strategy_class(EMA_CROSS_EXAMPLE), EMA_CROSS_EXAMPLE,
                         {"fast": 12, "slow": 40})
    assert other.fast == 12 and other.slow == 40 and isinstance(other.slow, int)
    assert _trades(run_backtest(other, candles, initial_amount=1000)) != _trades(plain)


@pytest.mark.parametrize(("params", "message"), [
    ({"lent": 3}, "Paramètre\\(s\\) inconnu\\(s\\) : lent"),
    ({"fast": "abc"}, "valeur non numérique"),
    ({"fast": True}, "valeur non numérique"),
    ({"fast": float("inf")}, "non finie"),
    ({"fast": 12.5}, "entier attendu"),
])
def test_param_overrides_are_validated_in_french(params, message):
    with pytest.raises(BacktestError, match=message):
        apply_params(load_strategy_class(EMA_CROSS_EXAMPLE), EMA_CROSS_EXAMPLE, params)


def test_grid_parsing_and_sampling():
    grid = parse_grid("fast=5:30:5, slow=20:60:10", SPECS)
    assert grid == {"fast": [5, 10, 15, 20, 25, 30], "slow": [20, 30, 40, 50, 60]}
    combos = grid_combinations(grid)
    assert combos == [{"fast": f, "slow": s} for f, s in itertools.product(grid["fast"], grid["slow"])]
    sample = grid_combinations(grid, max_runs=7)
    assert len(sample) == 7 and sample == grid_combinations(grid, max_runs=7)
    assert len({tuple(c.values()) for c in sample}) == 7 and all(c in combos for c in sample)
    assert parse_grid("fast=10", SPECS) == {"fast": [10]}
    floats = parse_grid("risque=0.1:0.3:0.1", {"risque": {"name": "risque", "type": "float"}})
    assert floats == {"risque": [0.1, 0.2, 0.3]}


@pytest.mark.parametrize(("spec", "message"), [
    ("", "Grille vide"),
    ("fast", "Élément de grille invalide"),
    ("fast=5:30", "Plage invalide"),
    ("fast=5:30:0", "pas doit être strictement positif"),
    ("fast=30:5:5", "vide"),
    ("fast=5:30:2.5", "entier attendu"),
    ("lent=1:2:1", "Paramètre inconnu : « lent »"),
    ("fast=1:5:1,fast=2", "deux fois"),
])
def test_bad_grid_specs_are_french_errors(spec, message):
    with pytest.raises(BacktestError, match=message):
        parse_grid(spec, SPECS)


def test_huge_grid_needs_max_runs_and_no_parameter_is_an_error():
    grid = parse_grid("fast=1:200:1,slow=1:200:1", SPECS)
    with pytest.raises(BacktestError, match="Grille trop grande : 40000 combinaisons"):
        grid_combinations(grid)
    assert len(grid_combinations(grid, max_runs=50)) == 50
    with pytest.raises(BacktestError, match="aucun paramètre à optimiser"):
        parse_grid("fast=5:30:5", parameter_specs(SPEC_EMA_CROSS_EXAMPLE))


def test_best_run_ties_and_exclusions():
    runs = [{"params": {"a": 1}, "stats": {"sharpe_ratio": 1.0}},
            {"params": {"a": 2}, "stats": {"sharpe_ratio": 2.0}, "lookahead_detected": True},
            {"params": {"a": 3}, "stats": {"sharpe_ratio": None}},
            {"params": {"a": 4}, "stats": {"sharpe_ratio": 1.5}},
            {"params": {"a": 5}, "stats": {"sharpe_ratio": 1.5}},
            {"params": {"a": 6}, "error": "x"}]
    assert best_run(runs, "sharpe_ratio")["params"] == {"a": 4}


def test_optimize_runs_every_combination_once_and_picks_the_max(arrays):
    result = optimize_run(EMA_CROSS_EXAMPLE, arrays, spec="fast=5:15:5,slow=20:40:10",
                          maximize="total_return", initial_amount=1000, timeframe="1h", workers=3)
    seen = [tuple(run["params"].values()) for run in result["runs"]]
    assert sorted(seen) == sorted(itertools.product((5, 10, 15), (20, 30, 40)))
    assert len(set(seen)) == 9 == result["total_runs"]
    values = [run["stats"]["total_pnl_pct"] for run in result["runs"]]
    assert result["best"]["stats"]["total_pnl_pct"] == max(values) == result["best"]["value"]
    assert not any(run.get("error") or run["lookahead_detected"] for run in result["runs"])
    # Défauts (10, 20) dans le pool = backtest ordinaire dans l'enfant du bac à sable.
    plain = backtest_run_sandboxed(request=backtest_request(
        code=EMA_CROSS_EXAMPLE, arrays=arrays, initial_amount=1000, fee_rate=0.001,
        timeframe="1h", mode="fast"), on_progress=lambda pct: None)
    default = next(r for r in result["runs"] if r["params"] == {"fast": 10, "slow": 20})
    assert default["stats"] == plain["stats"]


def test_optimize_sample_split_and_metric_errors(arrays):
    kwargs = {"spec": "fast=4:20:2,slow=20:60:5", "maximize": "sharpe_ratio",
              "initial_amount": 1000, "timeframe": "1h", "max_runs": 6, "test_ratio": 0.3}
    first = optimize_run(EMA_CROSS_EXAMPLE, arrays, **kwargs)
    second = optimize_run(EMA_CROSS_EXAMPLE, arrays, **kwargs)
    assert len(first["runs"]) == 6 and [r["params"] for r in first["runs"]] == [
        r["params"] for r in second["runs"]]
    assert (first["train_candles"], first["test_candles"]) == (280, 120)
    assert all(run["stats"]["candles"] == 280 for run in first["runs"])
    assert first["best"]["test_stats"]["candles"] == 120
    with pytest.raises(BacktestError, match="Métrique inconnue : « gain » \\(valides : final_amount"):
        optimize_run(EMA_CROSS_EXAMPLE, arrays, **{**kwargs, "maximize": "gain"})
    with pytest.raises(BacktestError, match="aucun paramètre"):
        optimize_run(SPEC_EMA_CROSS_EXAMPLE, arrays, **kwargs)


def test_lookahead_runs_are_flagged_and_excluded(arrays):
    result = optimize_run(LOOKAHEAD, arrays, spec="look=0:3:3", maximize="final_amount",
                          initial_amount=1000, timeframe="1h")
    flagged = {run["params"]["look"]: run["lookahead_detected"] for run in result["runs"]}
    assert flagged == {0: False, 3: True}
    assert result["best"]["params"]["look"] == 0


def test_cancel_stops_the_pool_and_leaves_no_child(arrays):
    cancel, outcome = threading.Event(), {}

    def target():
        try:
            optimize_run(SLOW, arrays, spec="pause=0.05:0.1:0.01", maximize="final_amount",
                         initial_amount=1000, timeframe="1h", workers=2, cancel=cancel)
        except BaseException as exc:  # noqa: BLE001
            outcome["exc"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    sandbox = backtest_sandbox()
    deadline, pids = time.monotonic() + 30, []
    while time.monotonic() < deadline and not pids:
        pids = sandbox.live_pids()
        time.sleep(0.05)
    assert pids, "aucun enfant lancé"
    time.sleep(0.3)
    cancel.set()
    thread.join(10)
    assert not thread.is_alive() and isinstance(outcome.get("exc"), BacktestCancelled)
    assert sandbox.live_pids() == []
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}"), f"enfant {pid} encore présent"


def test_cli_optimize_writes_json(tmp_path):
    strategy, csv, out = tmp_path / "s.py", tmp_path / "c.csv", tmp_path / "out.json"
    strategy.write_text(EMA_CROSS_EXAMPLE, encoding="utf-8")
    write_csv(csv, random_candles(300, seed=3, vol=0.01))
    stdout, stderr = StringIO(), StringIO()
    call_command("run_backtest", "--strategy-file", str(strategy), "--candles-csv", str(csv),
                 "--amount", "1000", "--timeframe", "1h", "--optimize", "fast=5:15:5,slow=20:30:10",
                 "--maximize", "final_amount", "--test-ratio", "0.3", "--json", str(out),
                 stdout=stdout, stderr=stderr)
    result = json.loads(out.read_text(encoding="utf-8"))
    assert len(result["runs"]) == 6 and all({"params", "stats"} <= set(r) for r in result["runs"])
    assert result["best"]["stats"]["final_amount"] == max(r["stats"]["final_amount"]
                                                           for r in result["runs"])
    assert "test_stats" in result["best"]
    assert "Top 5 (maximise final_amount)" in stdout.getvalue()
    spec_file = tmp_path / "spec.py"
    spec_file.write_text(SPEC_EMA_CROSS_EXAMPLE, encoding="utf-8")
    with pytest.raises(CommandError, match="aucun paramètre à optimiser"):
        call_command("run_backtest", "--strategy-file", str(spec_file), "--candles-csv", str(csv),
                     "--amount", "1000", "--optimize", "fast=5:15:5", stdout=StringIO(),
                     stderr=StringIO())


def test_cli_params_override_in_the_sandbox(tmp_path):
    strategy, csv = tmp_path / "s.py", tmp_path / "c.csv"
    strategy.write_text(EMA_CROSS_EXAMPLE, encoding="utf-8")
    write_csv(csv, random_candles(300, seed=3, vol=0.01))
    results = {}
    for params in (None, "fast=10,slow=20", "fast=12,slow=40"):
        out = tmp_path / f"{params}.json"
        extra = ["--params", params] if params else []
        call_command("run_backtest", "--strategy-file", str(strategy), "--candles-csv", str(csv),
                     "--amount", "1000", "--json", str(out), *extra, stdout=StringIO())
        results[params] = json.loads(out.read_text(encoding="utf-8"))
    assert results["fast=10,slow=20"]["trades"] == results[None]["trades"]
    assert results["fast=10,slow=20"]["stats"] == results[None]["stats"]
    assert results["fast=12,slow=40"]["trades"] != results[None]["trades"]
    assert results["fast=12,slow=40"]["params"] == {"fast": 12, "slow": 40}
    with pytest.raises(CommandError, match="Paramètre\\(s\\) inconnu\\(s\\) : lent"):
        call_command("run_backtest", "--strategy-file", str(strategy), "--candles-csv", str(csv),
                     "--amount", "1000", "--params", "lent=3", stdout=StringIO())
    with pytest.raises(CommandError, match="Grille vide|Élément de grille invalide"):
        call_command("run_backtest", "--strategy-file", str(strategy), "--candles-csv", str(csv),
                     "--amount", "1000", "--optimize", "fast", stdout=StringIO(), stderr=StringIO())


def test_cli_optimize_database_form(db_setup, tmp_path):
    from datetime import timedelta

    broker, strategy, candles = db_setup
    out = tmp_path / "out.json"
    start = candles.index[0].strftime("%Y-%m-%d")
    end = (candles.index[-1] + timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M")
    call_command("run_backtest", "--strategy", str(strategy.pk), "--broker", str(broker.pk),
                 "--symbol", "BTC/USDT", "--timeframe", "15m", "--start", start, "--end", end,
                 "--amount", "1000", "--no-download", "--optimize", "fast=5:10:5",
                 "--params", "slow=30", "--max-runs", "2", "--json", str(out),
                 stdout=StringIO(), stderr=StringIO())
    result = json.loads(out.read_text(encoding="utf-8"))
    assert [run["params"] for run in result["runs"]] == [{"slow": 30, "fast": 5},
                                                         {"slow": 30, "fast": 10}]
    assert result["source"]["exchange"] == "binance" and result["train_candles"] == len(candles)


def test_many_chunks_keep_every_combination_in_grid_order():
    from apps.backtest.engine import prepare_candles

    small = frame_arrays(prepare_candles(random_candles(120, seed=9, vol=0.01)))
    progress = []
    result = optimize_run(EMA_CROSS_EXAMPLE, small, spec="fast=2:13:1,slow=20:60:10",
                          maximize="final_amount", initial_amount=1000, timeframe="1h", workers=2,
                          on_progress=lambda done, total: progress.append((done, total)))
    grid = parse_grid("fast=2:13:1,slow=20:60:10", SPECS)
    assert [r["params"] for r in result["runs"]] == grid_combinations(grid)  # 60, dans l'ordre
    assert not any(r.get("error") for r in result["runs"])
    assert progress[-1] == (60, 60) and all(t == 60 for _, t in progress)


def test_astronomical_grid_is_sampled_without_overflow():
    """8 plages de 10 000 valeurs (10^32 combinaisons) : tirage possible, pas d'OverflowError."""
    grid = {f"p{i}": list(range(10_000)) for i in range(8)}
    combos = grid_combinations(grid, max_runs=5)
    assert len(combos) == 5 and len({tuple(c.values()) for c in combos}) == 5
    assert combos == grid_combinations(grid, max_runs=5)  # graine fixe : même échantillon
