"""Optimisation des paramètres : grille, échantillon, meilleur résultat (pur : ni Django ni E/S).

    grid = parse_grid("fast=5:30:5,slow=20:60:10", parameter_specs(code))
    combos = grid_combinations(grid, max_runs=None)      # [{"fast": 5, "slow": 20}, …]
    best = best_run(runs, "sharpe_ratio")                 # runs : [{"params", "stats", …}]

Spécification : `nom=début:fin:pas` (bornes incluses) ou `nom=valeur`, séparés par des virgules ;
entiers ou réels selon le type du paramètre. Les paramètres absents gardent leur valeur du code.
L'exécution des backtests (enfants du bac à sable, en parallèle) est dans `apps.backtest.optimize`.
"""

from __future__ import annotations

import itertools
import math
import random
import sys
from typing import Any

from apps.backtest.engine.errors import BacktestError
from apps.backtest.engine.params import cast_value

#: Nombre maximal de combinaisons lancées (au-delà : `max_runs` tire un échantillon).
MAX_COMBINATIONS = 10_000
#: Graine du tirage de `max_runs` : même grille, même échantillon.
SAMPLE_SEED = 17
#: Statistiques qu'on peut maximiser (`total_return` : alias de `total_pnl_pct`).
METRICS = (
    "final_amount", "total_pnl", "total_pnl_pct", "total_return", "total_trades",
    "winning_trades", "losing_trades", "win_rate", "biggest_win", "biggest_loss", "max_drawdown",
    "max_drawdown_pct", "sharpe_ratio", "sortino_ratio", "profit_factor", "expectancy",
    "expectancy_pct", "exposure_pct", "fees_paid", "avg_trade_candles", "buy_and_hold_pct",
    "vs_buy_and_hold_pct",
)
ALIASES = {"total_return": "total_pnl_pct"}


def check_metric(metric: str) -> str:
    """La clé de statistiques à maximiser ; `BacktestError` listant les clés valides sinon."""
    if metric not in METRICS:
        raise BacktestError(f"Métrique inconnue : « {metric} » (valides : {', '.join(METRICS)})")
    return ALIASES.get(metric, metric)


def _range(spec: dict[str, Any], text: str) -> list[int | float]:
    name = spec["name"]
    parts = text.split(":")
    if len(parts) not in (1, 3) or not all(p.strip() for p in parts):
        raise BacktestError(f"Plage invalide pour « {name} » : « {text} » (attendu début:fin:pas "
                            "ou une valeur)")
    values = [cast_value(spec, p.strip()) for p in parts]
    if len(values) == 1:
        return values
    start, stop, step = values
    if step <= 0:
        raise BacktestError(f"Plage de « {name} » : le pas doit être strictement positif")
    if stop < start:
        raise BacktestError(f"Plage de « {name} » vide : la fin ({stop}) précède le début ({start})")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > MAX_COMBINATIONS:
        raise BacktestError(f"Plage de « {name} » trop grande : {count} valeurs (au plus "
                            f"{MAX_COMBINATIONS})")
    if spec["type"] == "int":
        return [int(start + k * step) for k in range(count)]
    return [round(start + k * step, 10) for k in range(count)]


def parse_grid(spec: str, specs: dict[str, dict[str, Any]]) -> dict[str, list[int | float]]:
    """`"fast=5:30:5,slow=20:60:10"` → `{"fast": [5, 10, …], "slow": [20, …]}` (ordre du texte)."""
    if not specs:
        raise BacktestError("Cette stratégie n'a aucun paramètre à optimiser : déclarez des "
                            "attributs de classe numériques (ex. « fast = 10 »), voir "
                            "docs/strategies.md")
    grid: dict[str, list[int | float]] = {}
    items = [item.strip() for item in (spec or "").split(",")]
    if not any(items):
        raise BacktestError("Grille vide : indiquez par exemple « fast=5:30:5,slow=20:60:10 »")
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name or not text.strip():
            raise BacktestError(f"Élément de grille invalide : « {item} » (attendu nom=début:fin:pas)")
        if name not in specs:
            raise BacktestError(f"Paramètre inconnu : « {name} » (paramètres de la stratégie : "
                                f"{', '.join(specs)})")
        if name in grid:
            raise BacktestError(f"Paramètre « {name} » présent deux fois dans la grille")
        grid[name] = list(dict.fromkeys(_range(specs[name], text.strip())))
    return grid


def grid_size(grid: dict[str, list[int | float]]) -> int:
    return math.prod(len(values) for values in grid.values())


def grid_combinations(grid: dict[str, list[int | float]], *,
                      max_runs: int | None = None) -> list[dict[str, int | float]]:
    """Toutes les combinaisons (ordre du produit cartésien), ou un échantillon de `max_runs`
    tiré avec une graine fixe (même grille → même échantillon, gardé dans l'ordre de la grille)."""
    total = grid_size(grid)
    if max_runs is not None and not (1 <= max_runs <= MAX_COMBINATIONS):
        raise BacktestError(f"Le nombre maximal de runs (--max-runs) doit être entre 1 et {MAX_COMBINATIONS}")
    if max_runs is None and total > MAX_COMBINATIONS:
        raise BacktestError(f"Grille trop grande : {total} combinaisons (au plus "
                            f"{MAX_COMBINATIONS}) ; réduisez-la ou tirez-en un échantillon au hasard "
                            "(« Nombre max de runs », --max-runs N en ligne de commande)")
    names = list(grid)
    if max_runs is None or max_runs >= total:
        return [dict(zip(names, values, strict=True))
                for values in itertools.product(*grid.values())]
    rng = random.Random(SAMPLE_SEED)
    if total <= sys.maxsize:
        picked = sorted(rng.sample(range(total), max_runs))
    else:  # grille démesurée (ex. 50 paramètres) : `sample` ne sait pas, on tire des indices
        chosen: set[int] = set()
        while len(chosen) < max_runs:
            chosen.add(rng.randrange(total))
        picked = sorted(chosen)
    return [_combination(grid, names, index) for index in picked]


def _combination(grid: dict[str, list[int | float]], names: list[str],
                 index: int) -> dict[str, int | float]:
    """La combinaison n° `index` du produit cartésien (dernier paramètre le plus rapide)."""
    combo: dict[str, int | float] = {}
    for name in reversed(names):
        values = grid[name]
        index, rest = divmod(index, len(values))
        combo[name] = values[rest]
    return {name: combo[name] for name in names}


def metric_value(run: dict[str, Any], metric: str) -> float | None:
    """La valeur de la métrique d'un run retenable (sans anticipation ni erreur), sinon None."""
    if run.get("lookahead_detected") or run.get("error") or not isinstance(run.get("stats"), dict):
        return None
    value = run["stats"].get(ALIASES.get(metric, metric))
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def best_run(runs: list[dict[str, Any]], metric: str) -> dict[str, Any] | None:
    """Le run de métrique maximale ; à égalité, le premier dans l'ordre de la grille. Les runs
    avec biais d'anticipation, en erreur ou sans valeur (ex. Sharpe indéfini) sont exclus."""
    best, best_value = None, -math.inf
    for run in runs:
        value = metric_value(run, metric)
        if value is not None and (best is None or value > best_value):
            best, best_value = run, value
    return best


def split_index(candles: int, test_ratio: float | None) -> int | None:
    """Première bougie de la part « test » (hors échantillon), ou None sans découpage."""
    if test_ratio is None:
        return None
    if not (0 < test_ratio < 1):
        raise BacktestError("La part hors échantillon (--test-ratio) doit être strictement "
                            "entre 0 et 1 (ex. 0.3)")
    cut = candles - int(round(candles * test_ratio))
    if cut < 2 or candles - cut < 2:
        raise BacktestError(f"Découpage impossible : {candles} bougies ne suffisent pas pour "
                            f"une part test de {test_ratio:g}")
    return cut
