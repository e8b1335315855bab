"""Banc d'essai du moteur de backtest : chemin rapide d'Aristobot contre backtesting.py.

Usage : `cd backend && ../.venv/bin/python ../bench/backtest.py [--sizes 10000,100000,525600]`

Pour chaque taille : bougies 1m synthétiques (marche aléatoire initialisée par une graine),
la stratégie EMA 10/20 de la spec (`SPEC_EMA_CROSS_EXAMPLE`, non modifiée) passée à
`run_backtest` (vérification du biais d'anticipation comprise), puis la même stratégie écrite
à la manière de backtesting.py (`FractionalBacktest`, `trade_on_close=True`, indicateurs par
`self.I`, SL -2 % / TP +4 %, 10 % du capital), mesurées dans le même processus (meilleure de
`--repeat` mesures alternées). Les listes de trades fermés sont comparées (dates d'entrée et
de sortie). `--exact-size N` compare aussi
le chemin rapide au chemin exact (ré-instanciation à chaque bougie) sur N bougies.
`--sandbox-size N` mesure enfin le même backtest tel que l'application le lance : dans un enfant
confiné du bac à sable (envoi des bougies, calcul, réponse JSON relue), contre le même calcul
dans ce processus, dans le même run.
`--cli-size N` mesure enfin le processus entier, comme l'issue 17 : `manage.py run_backtest` (CSV
lu, enfant confiné, JSON écrit) contre un script backtesting.py (CSV lu, trades écrits en JSON),
chacun sur N bougies et sur 300 bougies ; le ratio « marginal » compare les écarts N − 300 (coût
du calcul sans le démarrage du processus), trades fermés comparés ; `--baseline DOSSIER` (le
`backend` d'une autre version, par exemple extrait par `git archive`) y ajoute cette version,
mesurée dans le même run (avant/après).
`--grid-size N` mesure une grille de 9 runs (`EMA_CROSS_EXAMPLE`, `fast=8:12:2,slow=18:22:2`) en
processus entier : `manage.py run_backtest --optimize … --workers 2` contre 9 processus entiers
`run_backtest --params …` lancés l'un après l'autre, sur N bougies, dans le même run.
Nécessite `backtesting==0.6.6` (requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

BACKEND = Path(__file__).resolve().parent.parent / "backend"
sys.path.insert(0, str(BACKEND))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aristobot.settings")

from apps.backtest.engine import run_backtest  # noqa: E402
from apps.strategies.runtime.compat import install_pandas_ta_alias  # noqa: E402
from apps.strategies.templates import EMA_CROSS_EXAMPLE, SPEC_EMA_CROSS_EXAMPLE  # noqa: E402

FEE = 0.001
AMOUNT = 10_000.0


def synthetic_candles(n: int, seed: int = 42) -> pd.DataFrame:
    """Bougies 1m : marche aléatoire log-normale, ouverture = clôture précédente ± petit écart."""
    rng = np.random.default_rng(seed)
    close = 30_000.0 * np.exp(np.cumsum(rng.normal(0.0, 0.0012, n)))
    gap = rng.normal(0.0, 0.0002, n)
    open_ = np.concatenate(([close[0]], close[:-1])) * (1.0 + gap)
    wick = np.abs(rng.normal(0.0, 0.0008, (2, n)))
    high = np.maximum(open_, close) * (1.0 + wick[0])
    low = np.minimum(open_, close) * (1.0 - wick[1])
    index = pd.date_range("2024-01-01", periods=n, freq="1min", tz="UTC")
    return pd.DataFrame({"open": open_, "high": high, "low": low, "close": close,
                         "volume": rng.uniform(1.0, 50.0, n)}, index=index)


def run_backtesting_py(candles: pd.DataFrame) -> tuple[float, float, list[tuple[int, int]]]:
    """La même stratégie avec backtesting.py ; (secondes, secondes CPU, [(entrée, sortie)])."""
    import pandas_ta_classic as ta
    from backtesting import Strategy
    from backtesting.lib import FractionalBacktest

    class EmaCross(Strategy):
        def init(self) -> None:
            close = pd.Series(self.data.Close)
            self.ema10 = self.I(ta.ema, close, 10)
            self.ema20 = self.I(ta.ema, close, 20)

        def next(self) -> None:
            if len(self.data) < 21:
                return
            e10, e20 = self.ema10, self.ema20
            if not self.position:
                if e10[-2] < e20[-2] and e10[-1] > e20[-1]:
                    price = self.data.Close[-1]
                    self.buy(size=0.1, sl=price * (1 - 0.02), tp=price * (1 + 0.04))
            elif e10[-2] > e20[-2] and e10[-1] < e20[-1]:
                self.position.close()

    data = candles.rename(columns=str.capitalize)
    data.index = data.index.tz_localize(None)
    started, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bt = FractionalBacktest(data, EmaCross, cash=AMOUNT, commission=FEE, trade_on_close=True)
        stats = bt.run()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    trades = stats["_trades"]
    pairs = list(zip(trades["EntryBar"].astype(int), trades["ExitBar"].astype(int), strict=True))
    return elapsed, cpu, pairs


def run_aristobot(candles: pd.DataFrame, mode: str = "fast") -> tuple[float, float, list, object]:
    """Notre chemin (rapide par défaut) ; (secondes, secondes CPU, [(entrée, sortie)], résultat)."""
    started, cpu = time.perf_counter(), time.process_time()
    out = run_backtest(SPEC_EMA_CROSS_EXAMPLE, candles, initial_amount=AMOUNT, fee_rate=FEE, mode=mode)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    closed = [(t.entry_index, t.exit_index) for t in out.trades if t.exit_reason != "end"]
    return elapsed, cpu, closed, out


def run_sandboxed(candles: pd.DataFrame, runs: int) -> tuple[float, float, int]:
    """Meilleures durées (s) du backtest dans un enfant du bac à sable et dans ce processus."""
    from apps.backtest.results import output_clean
    from apps.strategies.runtime.sandbox.client import Sandbox
    from apps.strategies.runtime.sandbox.confine import Limits

    arrays = {name: candles[name].to_numpy() for name in ("open", "high", "low", "close", "volume")}
    arrays["timestamp"] = candles.index.asi8
    request = {"code": SPEC_EMA_CROSS_EXAMPLE, "candles": arrays, "initial_amount": AMOUNT, "fee_rate": FEE,
               "timeframe": "1m", "mode": "fast"}
    sandbox = Sandbox({"backtest": "apps.backtest.worker:handle"}, name="banc")
    try:
        sandbox.start()
        boxed = inline = float("inf")
        trades = 0
        for _ in range(runs):
            started = time.perf_counter()
            reply = sandbox.run("backtest", request, Limits(wall_s=600, cpu_s=600, memory_mb=4096),
                                max_bytes=256 * 1024 * 1024)
            assert "output" in reply, reply
            clean = output_clean(reply["output"], stamps=arrays["timestamp"])  # relu par le parent
            boxed = min(boxed, time.perf_counter() - started)
            trades = len(clean["trades"])
            inline = min(inline, run_aristobot(candles)[0])
        return boxed, inline, trades
    finally:
        sandbox.close()


def compare_size(n: int, repeat: int) -> None:
    """Une ligne du tableau : Aristobot contre backtesting.py sur n bougies (mêmes trades ?)."""
    candles = synthetic_candles(n)
    ours_s = bt_s = ours_cpu = bt_cpu = float("inf")
    for _ in range(max(1, repeat)):  # alternées : même charge machine des deux côtés
        seconds, cpu, ours, result = run_aristobot(candles)
        if seconds < ours_s:
            ours_s, out = seconds, result
        ours_cpu = min(ours_cpu, cpu)
        seconds, cpu, theirs = run_backtesting_py(candles)
        bt_s, bt_cpu = min(bt_s, seconds), min(bt_cpu, cpu)
    # backtesting.py n'exécute pas un ordre passé à la dernière bougie : on l'ignore des deux côtés.
    ours_cmp = [t for t in ours if t[1] < n - 1]
    theirs_cmp = [t for t in theirs if t[1] < n - 1]
    same = ours_cmp == theirs_cmp
    timings = out.timings
    detail = (f"init {timings.get('init', 0):.2f} s, boucle {timings.get('loop', 0):.2f} s, "
              f"vérif. {timings.get('check', 0):.2f} s ({out.checked_candles} bougies)")
    print(f"{n:>9,} | {ours_s:>8.3f}s | {n / ours_s:>10,.0f} | {bt_s:>13.3f}s | "
          f"{n / bt_s:>10,.0f} | {bt_s / ours_s:>5.1f}× | {bt_cpu / ours_cpu:>8.1f}× | "
          f"{len(ours_cmp):>7} | "
          f"{'oui' if same else 'NON':>10} | {detail}")
    if not same:
        diff = next((k for k, (a, b) in enumerate(zip(ours_cmp, theirs_cmp, strict=False)) if a != b),
                    min(len(ours_cmp), len(theirs_cmp)))
        print(f"    premier écart au trade {diff} : Aristobot "
              f"{ours_cmp[diff:diff + 1]} / backtesting.py {theirs_cmp[diff:diff + 1]}")
    if out.lookahead_detected:
        print(f"    {out.message}")


def compare_exact(size: int) -> None:
    """Chemin rapide contre chemin exact (ré-instanciation à chaque bougie) sur `size` bougies."""
    candles = synthetic_candles(size, seed=7)
    fast_s, _cpu, _fast, fast_out = run_aristobot(candles, "fast")
    exact_s, _cpu, _exact, exact_out = run_aristobot(candles, "exact")
    same = [t.to_dict() for t in fast_out.trades] == [t.to_dict() for t in exact_out.trades]
    print(f"\nChemin exact (ré-instanciation à chaque bougie) sur {size:,} bougies : "
          f"{exact_s:.2f} s ({size / exact_s:,.0f} bougies/s) contre {fast_s:.3f} s en "
          f"rapide ; trades identiques (tous les champs) : {'oui' if same else 'NON'} "
          f"({len(fast_out.trades)} trades)")


#: backtesting.py en processus entier : CSV lu, même stratégie, trades (EntryBar, ExitBar) en JSON.
BT_SCRIPT = """
import sys, warnings
import pandas as pd
import pandas_ta_classic as ta
from backtesting import Strategy
from backtesting.lib import FractionalBacktest

class EmaCross(Strategy):
    def init(self):
        close = pd.Series(self.data.Close)
        self.ema10 = self.I(ta.ema, close, 10)
        self.ema20 = self.I(ta.ema, close, 20)

    def next(self):
        if len(self.data) < 21:
            return
        e10, e20 = self.ema10, self.ema20
        if not self.position:
            if e10[-2] < e20[-2] and e10[-1] > e20[-1]:
                price = self.data.Close[-1]
                self.buy(size=0.1, sl=price * (1 - 0.02), tp=price * (1 + 0.04))
        elif e10[-2] > e20[-2] and e10[-1] < e20[-1]:
            self.position.close()

data = pd.read_csv(sys.argv[1])
data.index = pd.to_datetime(data.pop("open_time"), unit="ms")
data = data.rename(columns=str.capitalize)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    stats = FractionalBacktest(data, EmaCross, cash=10000, commission=0.001, trade_on_close=True).run()
trades = stats["_trades"]
with open(sys.argv[2], "w") as out:
    out.write(trades[["EntryBar", "ExitBar"]].astype(int).to_json(orient="values"))
"""


def _timed(cmd: list[str], env: dict[str, str], cwd: Path = BACKEND) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _cli_commands(folder: Path, n: int, baseline: Path | None) -> list[tuple[str, list[str], Path]]:
    """(moteur, commande, dossier) du processus entier sur n bougies."""
    def ours(tag: str) -> list[str]:
        return [sys.executable, "manage.py", "run_backtest", "--strategy-file", str(folder / "s.py"),
                "--candles-csv", str(folder / f"c{n}.csv"), "--amount", str(AMOUNT), "--fee", str(FEE),
                "--timeframe", "1m", "--json", str(folder / f"{tag}{n}.json")]

    commands = [("aristobot", ours("a"), BACKEND),
                ("backtesting", [sys.executable, str(folder / "bt.py"), str(folder / f"c{n}.csv"),
                                 str(folder / f"b{n}.json")], BACKEND)]
    if baseline is not None:
        commands.append(("avant", ours("v"), baseline))
    return commands


def compare_cli(size: int, repeat: int, baseline: Path | None = None) -> None:
    """Processus entier (CLI) : Aristobot contre backtesting.py sur `size` et 300 bougies ;
    `baseline` : dossier `backend` d'une autre version, mesurée dans le même run (avant/après)."""
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY") or "banc-d-essai-sans-secret"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "s.py").write_text(SPEC_EMA_CROSS_EXAMPLE, encoding="utf-8")
        (folder / "bt.py").write_text(BT_SCRIPT, encoding="utf-8")
        best: dict[tuple[str, int], float] = {}
        for n in (300, size):
            _write_csv(synthetic_candles(n), folder / f"c{n}.csv")
        for _ in range(max(1, repeat)):  # alternées : même charge machine des deux côtés
            for n in (300, size):
                for key, cmd, cwd in _cli_commands(folder, n, baseline):
                    best[key, n] = min(best.get((key, n), float("inf")), _timed(cmd, env, cwd))
        result = json.loads((folder / f"a{size}.json").read_text(encoding="utf-8"))
        ours_pairs = [[t["entry_index"], t["exit_index"]] for t in result["trades"]
                      if t["exit_reason"] != "end" and t["exit_index"] < size - 1]
        theirs_pairs = [p for p in json.loads((folder / f"b{size}.json").read_text()) if p[1] < size - 1]
    marginal = {key: best[key, size] - best[key, 300] for key, _n in best if _n == size}
    print(f"\nProcessus entier (CLI : CSV lu, calcul, JSON écrit ; meilleure de {max(1, repeat)}) sur "
          f"{size:,} bougies : Aristobot {best['aristobot', size]:.2f} s (300 bougies : "
          f"{best['aristobot', 300]:.2f} s), backtesting.py {best['backtesting', size]:.2f} s "
          f"(300 bougies : {best['backtesting', 300]:.2f} s)")
    print(f"  ratio processus entier {best['backtesting', size] / best['aristobot', size]:.1f}× ; "
          f"marginal (N − 300) : Aristobot {marginal['aristobot']:.2f} s, backtesting.py "
          f"{marginal['backtesting']:.2f} s → ratio {marginal['backtesting'] / marginal['aristobot']:.1f}× ; "
          f"{len(ours_pairs)} trades, identiques : {'oui' if ours_pairs == theirs_pairs else 'NON'}")
    if baseline is not None:
        print(f"  version de référence ({baseline}) : {best['avant', size]:.2f} s (300 bougies : "
              f"{best['avant', 300]:.2f} s), marginal {marginal['avant']:.2f} s → ratio "
              f"{marginal['backtesting'] / marginal['avant']:.1f}×")


#: Grille de 9 runs de `--grid-size` (EMA_CROSS_EXAMPLE : attributs de classe `fast`, `slow`).
GRID = "fast=8:12:2,slow=18:22:2"
GRID_COMBOS = [f"fast={f},slow={s}" for f in (8, 10, 12) for s in (18, 20, 22)]


def _write_csv(candles: pd.DataFrame, path: Path) -> None:
    table = candles.reset_index(drop=True)
    table.insert(0, "open_time", candles.index.asi8 // 1_000_000)
    table.to_csv(path, index=False)


def compare_grid(size: int, repeat: int) -> None:
    """Grille de 9 runs sur 2 cœurs (`--optimize --workers 2`) contre 9 runs seuls, en processus
    entier (CLI), sur `size` bougies ; meilleure de `repeat`, mesures alternées."""
    python = sys.executable
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY") or "banc-d-essai-sans-secret"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "s.py").write_text(EMA_CROSS_EXAMPLE, encoding="utf-8")
        _write_csv(synthetic_candles(size), folder / "c.csv")
        base = [python, "manage.py", "run_backtest", "--strategy-file", str(folder / "s.py"),
                "--candles-csv", str(folder / "c.csv"), "--amount", str(AMOUNT), "--fee", str(FEE),
                "--timeframe", "1m"]
        grid_s = singles_s = float("inf")
        for _ in range(max(1, repeat)):
            grid_s = min(grid_s, _timed([*base, "--optimize", GRID, "--workers", "2", "--json",
                                         str(folder / "grid.json")], env))
            singles_s = min(singles_s, sum(
                _timed([*base, "--params", combo, "--json", str(folder / f"r{k}.json")], env)
                for k, combo in enumerate(GRID_COMBOS)))
        grid = json.loads((folder / "grid.json").read_text(encoding="utf-8"))
        finals = {json.dumps(json.loads((folder / f"r{k}.json").read_text())["params"], sort_keys=True):
                  json.loads((folder / f"r{k}.json").read_text())["stats"]["final_amount"]
                  for k in range(len(GRID_COMBOS))}
        same = all(finals.get(json.dumps(run["params"], sort_keys=True)) == run["stats"]["final_amount"]
                   for run in grid["runs"]) and len(grid["runs"]) == len(GRID_COMBOS)
    print(f"\nGrille de 9 runs sur 2 cœurs (processus entier, `--optimize \"{GRID}\" --workers 2`, "
          f"meilleure de {max(1, repeat)}) sur {size:,} bougies : {grid_s:.2f} s contre "
          f"{singles_s:.2f} s pour 9 runs seuls (processus entiers l'un après l'autre) → "
          f"{grid_s / singles_s:.2f} des 9 runs ({singles_s / grid_s:.1f}× plus rapide) ; "
          f"montants finaux identiques : {'oui' if same else 'NON'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,525600")
    parser.add_argument("--repeat", type=int, default=3,
                        help="mesures par taille et par moteur (on garde la meilleure)")
    parser.add_argument("--exact-size", type=int, default=3000,
                        help="taille de la comparaison rapide/exact (0 = aucune)")
    parser.add_argument("--sandbox-size", type=int, default=525600,
                        help="taille de la mesure dans le bac à sable (0 = aucune)")
    parser.add_argument("--cli-size", type=int, default=525600,
                        help="taille de la mesure en processus entier, CLI (0 = aucune)")
    parser.add_argument("--baseline", type=Path,
                        help="dossier backend d'une autre version, mesurée avec --cli-size (avant/après)")
    parser.add_argument("--grid-size", type=int, default=525600,
                        help="taille de la grille de 9 runs sur 2 cœurs, CLI (0 = aucune)")
    args = parser.parse_args()
    install_pandas_ta_alias()
    header = (f"{'bougies':>9} | {'Aristobot':>9} | {'bougies/s':>10} | {'backtesting.py':>14} | "
              f"{'bougies/s':>10} | {'ratio':>6} | {'ratio CPU':>9} | {'trades':>7} | "
              f"{'identiques':>10} | détail (Aristobot)")
    print(header)
    print("-" * len(header))
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        compare_size(n, args.repeat)
    if args.exact_size:
        compare_exact(args.exact_size)
    if args.sandbox_size:
        candles = synthetic_candles(args.sandbox_size)
        boxed, inline, trades = run_sandboxed(candles, max(1, args.repeat))
        print(f"\nDans le bac à sable (enfant confiné, bougies envoyées, résultat JSON relu) sur "
              f"{args.sandbox_size:,} bougies : {boxed:.3f} s contre {inline:.3f} s dans ce processus "
              f"(×{boxed / inline:.2f}, {trades} trades)")
    if args.cli_size:
        compare_cli(args.cli_size, max(1, args.repeat), args.baseline)
    if args.grid_size:
        compare_grid(args.grid_size, max(1, args.repeat))


if __name__ == "__main__":
    main()
