"""Gestionnaire « optimize » exécuté dans un enfant du bac à sable : une tranche de la grille.

L'enfant (neuf, confiné comme celui d'un backtest, voir `worker.py`) reçoit UNE requête
`{"code", "candles": {timestamp (ns), open, …}, "combos": [{nom: valeur}, …], "initial_amount",
"fee_rate", "timeframe", "mode"}` : les bougies sont reconstruites une seule fois (tableaux
numpy, aucune analyse de texte), puis chaque combinaison est un backtest complet sur une classe
rechargée à neuf (`strategy_with_params`) dont les paramètres sont imposés avant l'instanciation.
Réponse : `{"output": {"runs": [{"stats", "lookahead_detected", "errors_count"} | {"error"}]}}`
dans l'ordre des combinaisons, relue par le parent comme une donnée non fiable.
N'importe ni Django ni l'ORM.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from apps.backtest.worker import limit_text
from apps.strategies.runtime.decide import BoundedOutput, build_frame
from apps.strategies.runtime.sandbox.frames import CpuLimitExceeded, StrategyTimeout

#: Intervalle minimal entre deux trames de progression (le parent en tolère 20 par seconde).
PROGRESS_EVERY_S = 0.25


def _one_run(request: dict[str, Any], frame: Any, combo: dict[str, Any],
             progress: Any) -> dict[str, Any]:
    from apps.backtest.engine import BacktestError, run_backtest
    from apps.backtest.engine.params import strategy_with_params

    try:
        strategy = strategy_with_params(request["code"], combo)
        output = run_backtest(strategy, frame, initial_amount=float(request["initial_amount"]),
                              fee_rate=float(request["fee_rate"]),
                              timeframe=request.get("timeframe"),
                              mode=request.get("mode") or "fast", progress_cb=progress)
    except BacktestError as exc:
        return {"error": exc.message}
    except Exception as exc:  # noqa: BLE001 (erreur imprévue du code utilisateur)
        return {"error": f"Erreur pendant le backtest : {type(exc).__name__}: {str(exc)[:300]}"}
    return {"stats": output.stats, "lookahead_detected": bool(output.lookahead_detected),
            "errors_count": output.errors_count, "message": output.message}


def run_chunk(request: dict[str, Any], send: Any, limits: Any = None) -> dict[str, Any]:
    """Tous les backtests de la tranche ; `send(pct)` au plus toutes les `PROGRESS_EVERY_S`."""
    combos = request["combos"]
    last = [0.0]

    def throttled(done: int, pct: float) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S:
            last[0] = now
            send((done + pct / 100.0) / len(combos) * 100.0)

    try:
        frame = build_frame(request["candles"])
        runs = []
        for done, combo in enumerate(combos):
            runs.append(_one_run(request, frame, combo,
                                 lambda pct, done=done: throttled(done, pct)))
    except (StrategyTimeout, CpuLimitExceeded):
        return {"error": {"message": limit_text(limits) if limits is not None else
                          "L'optimisation a dépassé sa limite de temps."}}
    except MemoryError:
        return {"error": {"message": "Mémoire insuffisante pour cette optimisation : réduisez la "
                                     "période ou passez à une unité de temps plus longue."}}
    return {"output": {"runs": runs}}


def handle(request: dict[str, Any], channel: Any, limits: Any) -> dict[str, Any]:
    """Gestionnaire de l'enfant : les `print()` de la stratégie sont jetés."""

    def progress(pct: float) -> None:
        channel.send({"type": "progress", "progress": float(pct)})

    sink = BoundedOutput(0)
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        return run_chunk(request, progress, limits)


def warm() -> None:
    """Dans le processus modèle : imports faits avant le confinement (Landlock interdit ensuite
    la lecture du code du projet). Le moteur est déjà chauffé par `worker.warm()`."""
    import apps.backtest.engine  # noqa: F401
    import apps.backtest.engine.params  # noqa: F401
    import apps.strategies.runtime.loader  # noqa: F401
