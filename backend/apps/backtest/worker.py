"""Gestionnaire « backtest » exécuté dans un enfant du bac à sable des stratégies.

L'enfant (neuf, confiné, voir `apps.strategies.runtime.sandbox`) reçoit UNE requête du parent
`{"code", "candles": {timestamp (ns), open, …}, "initial_amount", "fee_rate", "timeframe",
"mode", ["params": {nom: valeur}]}`, exécute le moteur (et donc le code de l'utilisateur), envoie des trames
`{"type": "progress", "progress": pct}` au plus toutes les 0,2 s, puis le résultat
`{"output": …}` (trades en colonnes : `{clé: [valeurs]}`) ou `{"error": {"message", "line"}}`.
Le parent revérifie tout (`results.py`).
`warm()` tourne dans le processus modèle sur l'exemple EMA de la spec (code de confiance) :
imports du moteur et de pandas-ta faits une fois. N'importe ni Django ni l'ORM (CONVENTIONS §10).
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

from apps.strategies.runtime.decide import BoundedOutput, build_frame, sample_candles
from apps.strategies.runtime.sandbox.frames import CpuLimitExceeded, StrategyTimeout


def _drawdown_points(output: Any, initial: float) -> list[dict[str, Any]]:
    """Courbe réduite du moteur + drawdown (%) au même point, calculé sur la courbe complète."""
    import numpy as np

    from apps.backtest.engine.runner import downsample_indices

    equity = np.asarray(output.equity, dtype=float)
    if not len(equity):
        return []
    peaks = np.maximum.accumulate(np.concatenate(([initial], equity)))[1:]
    keep = output.curve_indices
    if keep is None or len(keep) != len(output.equity_curve):
        keep = downsample_indices(equity, len(output.equity_curve))
    peaks, equity = peaks[keep], equity[keep]  # drawdown aux seuls points gardés
    drawdown = np.where(peaks > 0, (peaks - equity) / np.where(peaks > 0, peaks, 1.0) * 100.0, 0.0)
    return [{**point, "drawdown_pct": value}
            for point, value in zip(output.equity_curve, drawdown.tolist(), strict=False)]


def limit_text(limits: Any) -> str:
    """Message de la limite de temps (enfant et parent disent la même chose)."""
    return (f"Le backtest a dépassé la limite de temps ({limits.wall_s:g} s, réglage "
            "ARISTOBOT_BACKTEST_TIMEOUT_S) : réduisez la période, passez à une unité de temps plus "
            "longue ou vérifiez que la stratégie ne boucle pas indéfiniment.")


def run_request(request: dict[str, Any], progress: Any, limits: Any = None) -> dict[str, Any]:
    """Exécute une requête ; `{"output": …}` ou `{"error": {"message", "line"}}`."""
    from apps.backtest.engine import BacktestError, run_backtest
    from apps.backtest.engine.params import strategy_with_params

    try:
        candles = build_frame(request["candles"])
        strategy = strategy_with_params(request["code"], request.get("params"))
        output = run_backtest(
            strategy, candles, initial_amount=float(request["initial_amount"]),
            fee_rate=float(request["fee_rate"]), timeframe=request.get("timeframe"),
            mode=request.get("mode") or "fast", progress_cb=progress,
        )
    except BacktestError as exc:
        message = exc.message
        if limits is not None and message.endswith("la mémoire autorisée"):
            message += f" ({limits.memory_mb} Mo)"
        return {"error": {"message": message, "line": exc.extra.get("line")}}
    except (StrategyTimeout, CpuLimitExceeded):
        return {"error": {"message": limit_text(limits) if limits is not None else
                          "Le backtest a dépassé sa limite de temps."}}
    except MemoryError:
        memory = f" ({limits.memory_mb} Mo)" if limits is not None else ""
        return {"error": {"message": f"Mémoire insuffisante pour ce backtest{memory} : réduisez "
                                     "la période ou passez à une unité de temps plus longue."}}
    except Exception as exc:  # noqa: BLE001 (erreur imprévue du moteur ou du code utilisateur)
        return {"error": {"message": f"Erreur pendant le backtest : {type(exc).__name__}: "
                                     f"{str(exc)[:500]}"}}
    data = output.to_dict(packed=True)  # remis en lignes par `results.output_clean`
    data["equity_curve"] = _drawdown_points(output, float(request["initial_amount"]))
    return {"output": data}


def handle(request: dict[str, Any], channel: Any, limits: Any) -> dict[str, Any]:
    """Gestionnaire de l'enfant : les `print()` de la stratégie (à chaque bougie) sont jetés."""

    def progress(pct: float) -> None:
        channel.send({"type": "progress", "progress": float(pct)})

    sink = BoundedOutput(0)
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        return run_request(request, progress, limits)


#: Seuils de malloc (glibc) dans le processus modèle, hérités par chaque enfant : les gros
#: tableaux temporaires du moteur (un an de bougies 1m : 4 Mo par colonne) sont pris et rendus
#: dans le tas au lieu d'un `mmap` neuf à chaque fois (moins de fautes de page dans un enfant neuf).
MALLOC_MMAP_THRESHOLD = 256 * 1024 * 1024
MALLOC_TRIM_THRESHOLD = 512 * 1024 * 1024
#: Taille d'index à partir de laquelle pandas cherche par dichotomie (index croissant).
INDEX_SEARCH_ROWS = 10_000


def tune_memory() -> None:
    """Réglages mémoire d'un processus qui calcule sur de grosses séries : le processus modèle
    (hérités par chaque enfant au `fork`) et la commande `run_backtest` (lecture du CSV).
    Mesurés dans bench/backtest.py :

    - pas de pages géantes demandées par numpy (`madvise`) : sur la machine virtuelle de mesure,
      une page géante neuve coûte jusqu'à ~2 ms par Mo (0,34 sans), et un enfant sur trois
      perdait ~0,15 s ; sans elles, les durées sont régulières ;
    - malloc garde les gros blocs libérés dans le tas (voir `MALLOC_MMAP_THRESHOLD`) ;
    - pandas cherche une date dans un grand index croissant par dichotomie au lieu de construire
      d'abord une table de hachage (~15 ms pour un an de bougies 1m ; pandas-ta le fait à chaque
      `ta.ema`) : mêmes résultats, `INDEX_SEARCH_ROWS` lignes et plus (pandas : 1 000 000).
    Sans effet (et sans erreur) hors de glibc ou si numpy ou pandas changent ces interfaces
    privées (versions épinglées).
    """
    import ctypes

    with contextlib.suppress(ImportError, AttributeError):
        from numpy._core.multiarray import _set_madvise_hugepage

        _set_madvise_hugepage(False)
    with contextlib.suppress(ImportError):
        import pandas._libs.index as pandas_index

        pandas_index._SIZE_CUTOFF = INDEX_SEARCH_ROWS
    with contextlib.suppress(OSError, AttributeError, TypeError):
        libc = ctypes.CDLL(None)  # symboles du processus, libc comprise
        libc.mallopt(-3, MALLOC_MMAP_THRESHOLD)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, MALLOC_TRIM_THRESHOLD)  # M_TRIM_THRESHOLD


def warm() -> None:
    """Dans le processus modèle : un petit backtest de l'exemple EMA (code de confiance)."""
    import gc

    import apps.backtest.engine  # noqa: F401
    import apps.backtest.engine.params  # noqa: F401
    from apps.strategies.runtime.compat import install_pandas_ta_alias
    from apps.strategies.runtime.decide import warm as warm_decisions
    from apps.strategies.templates import EMA_CROSS_EXAMPLE

    tune_memory()
    install_pandas_ta_alias()
    warm_decisions()
    request = {"code": EMA_CROSS_EXAMPLE, "candles": sample_candles(), "initial_amount": 1000.0,
               "fee_rate": 0.001, "timeframe": "1h", "mode": "fast"}
    with contextlib.redirect_stdout(io.StringIO()):
        reply = run_request(request, lambda pct: None)
    if "error" in reply:
        raise RuntimeError(f"Préchauffage du backtest en échec : {reply['error']}")
    gc.collect()
