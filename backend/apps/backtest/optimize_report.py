"""Présentation d'une optimisation en ligne de commande (`run_backtest --optimize`)."""

from __future__ import annotations

from typing import Any

from apps.backtest.engine.optimize import metric_value

#: Colonnes du tableau des meilleurs runs.
COLUMNS = (("total_pnl_pct", "P&L %"), ("sharpe_ratio", "Sharpe"), ("max_drawdown_pct", "DD max %"),
           ("total_trades", "trades"), ("win_rate", "réussite %"))


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    return f"{value:,.2f}".replace(",", " ")


def _params(params: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value}" for name, value in params.items())


def top_runs(result: dict[str, Any], count: int = 5) -> list[dict[str, Any]]:
    """Les `count` meilleurs runs retenables (métrique décroissante, puis ordre de la grille)."""
    metric = result["metric"]
    ranked = [(value, index, run) for index, run in enumerate(result["runs"])
              if (value := metric_value(run, metric)) is not None]
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return [run for _, _, run in ranked[:count]]


def summary_lines(result: dict[str, Any]) -> list[str]:
    """Résumé français : runs écartés, tableau des 5 meilleurs, meilleur hors échantillon."""
    metric, runs = result["metric"], result["runs"]
    lookahead = sum(1 for run in runs if run.get("lookahead_detected"))
    errors = sum(1 for run in runs if run.get("error"))
    lines = [f"{len(runs)} backtests en {result['elapsed_s']:.1f} s sur {result['workers']} "
             f"processus ({result['train_candles']} bougies d'optimisation)"]
    if lookahead:
        lines.append(f"Attention : {lookahead} run(s) avec biais d'anticipation, exclus du classement")
    if errors:
        first = next(run["error"] for run in runs if run.get("error"))
        lines.append(f"Attention : {errors} run(s) en erreur ; première : {first}")
    best = top_runs(result)
    if not best:
        lines.append(f"Aucun run ne donne de valeur pour « {metric} » : pas de meilleur jeu")
        return lines
    widths = max(len(_params(run["params"])) for run in best)
    head = f"{'#':>2}  {'paramètres':<{widths}}  {metric:>14}" + "".join(
        f"  {label:>11}" for _, label in COLUMNS)
    lines += [f"Top {len(best)} (maximise {metric}) :", head, "-" * len(head)]
    for rank, run in enumerate(best, 1):
        stats = run["stats"]
        lines.append(f"{rank:>2}  {_params(run['params']):<{widths}}  "
                     f"{_fmt(metric_value(run, metric)):>14}"
                     + "".join(f"  {_fmt(stats.get(key)):>11}" for key, _ in COLUMNS))
    test = (result.get("best") or {}).get("test_stats")
    if test is not None:
        lines.append(f"Hors échantillon ({result['test_candles']} bougies) : P&L "
                     f"{_fmt(test.get('total_pnl_pct'))} %, Sharpe {_fmt(test.get('sharpe_ratio'))}, "
                     f"DD max {_fmt(test.get('max_drawdown_pct'))} %, {test.get('total_trades')} trades")
    return lines


def optimize_command(command: Any, *, code: str, arrays: dict[str, Any], label: dict[str, Any],
                     options: dict[str, Any]) -> None:
    """`run_backtest --optimize` : calcul confiné en parallèle, progression, JSON et résumé."""
    import json
    import sys
    from pathlib import Path

    from django.core.management.base import CommandError

    from apps.backtest.engine import BacktestCancelled, BacktestError
    from apps.backtest.engine.params import parse_assignments
    from apps.backtest.optimize import optimize_run
    from apps.backtest.worker_process import sandbox_stop

    shown = [-1]

    def progress(done: int, total: int) -> None:
        if options["verbosity"] >= 1 and done != shown[0]:
            shown[0] = done
            sys.stderr.write(f"\rOptimisation : {done}/{total} backtests ({done / total * 100:5.1f} %)")
            sys.stderr.flush()

    try:
        fixed = parse_assignments(options["params"]) if options.get("params") else None
        result = optimize_run(code, arrays, spec=options["optimize"], maximize=options["maximize"],
                              initial_amount=options["amount"], fee_rate=options["fee"],
                              timeframe=options["timeframe"], mode=options["mode"],
                              max_runs=options["max_runs"], test_ratio=options["test_ratio"],
                              workers=options["workers"], fixed=fixed, on_progress=progress)
    except (BacktestCancelled, KeyboardInterrupt):
        raise CommandError("Optimisation annulée (calculs en cours arrêtés)") from None
    except BacktestError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        sandbox_stop()
        if options["verbosity"] >= 1:
            sys.stderr.write("\n")
    result = {"source": label, "timeframe": options["timeframe"], **result}
    if options["json_path"]:
        Path(options["json_path"]).write_text(json.dumps(result, ensure_ascii=False, indent=1),
                                              encoding="utf-8")
    command.stdout.write("\n".join(summary_lines(result)))
