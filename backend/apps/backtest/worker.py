"""Processus « worker » d'un backtest : exécute le moteur (et donc le code de l'utilisateur).

Lancé par `worker_process.py` avec l'interpréteur en mode isolé et un environnement nettoyé
(ni réglages Django, ni secret, ni URL de base de données) ; réseau coupé quand le noyau le
permet, mémoire plafonnée. N'importe ni Django ni l'ORM (CONVENTIONS §10).

Protocole (tubes, trames `!Q` longueur + charge utile) :
- au démarrage, worker → parent : `{"type": "ready", "pid", "network_isolated", "warmup_ms"}` ;
- parent → worker : UNE requête pickle `{"code", "candles": {timestamp (ns), open, …},
  "initial_amount", "fee_rate", "timeframe", "mode"}` (le parent est de confiance) ;
- worker → parent (JSON seulement : le parent ne désérialise jamais de pickle venant d'ici) :
  `{"type": "progress", "progress": pct}` au plus toutes les 0,2 s, puis
  `{"type": "result", "output": …}` ou `{"type": "error", "message", "line"}`.
Un worker ne sert qu'une fois : le code d'un utilisateur ne partage jamais d'interpréteur avec le
backtest suivant. L'annulation tue le processus (immédiat, même dans une boucle infinie).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import pickle
import sys
import time
from typing import Any, BinaryIO

from apps.strategies.runtime.worker import (
    build_frame,
    isolate_network,
    limit_resources,
    read_frame,
    write_frame,
)


def json_safe(value: Any) -> Any:
    """NaN et infinis → None (JSON strict), récursivement."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def _send(stream: BinaryIO, message: dict[str, Any]) -> None:
    write_frame(stream, json.dumps(json_safe(message), default=str, allow_nan=False).encode())


def _drawdown_points(output: Any, initial: float) -> list[dict[str, Any]]:
    """Courbe réduite du moteur + drawdown (%) au même point, calculé sur la courbe complète."""
    import numpy as np

    from apps.backtest.engine.runner import downsample_indices

    equity = np.asarray(output.equity, dtype=float)
    if not len(equity):
        return []
    peaks = np.maximum.accumulate(np.concatenate(([initial], equity)))[1:]
    drawdown = np.where(peaks > 0, (peaks - equity) / peaks * 100.0, 0.0)
    keep = downsample_indices(equity, len(output.equity_curve))
    points = []
    for point, index in zip(output.equity_curve, keep.tolist(), strict=False):
        points.append({**point, "drawdown_pct": float(drawdown[index])})
    return points


def run_request(request: dict[str, Any], progress: Any) -> dict[str, Any]:
    """Exécute une requête ; renvoie le message final (`result` ou `error`)."""
    from apps.backtest.engine import BacktestError, run_backtest

    try:
        candles = build_frame(request["candles"])
        output = run_backtest(
            request["code"], candles, initial_amount=float(request["initial_amount"]),
            fee_rate=float(request["fee_rate"]), timeframe=request.get("timeframe"),
            mode=request.get("mode") or "fast", progress_cb=progress,
        )
    except BacktestError as exc:
        return {"type": "error", "message": exc.message, "line": exc.extra.get("line")}
    except MemoryError:
        return {"type": "error", "message": "Mémoire insuffisante pour ce backtest : réduisez la "
                                            "période ou passez à une unité de temps plus longue."}
    except Exception as exc:  # noqa: BLE001 (erreur imprévue du moteur ou du code utilisateur)
        return {"type": "error", "message": f"Erreur pendant le backtest : {type(exc).__name__}: {exc}"}
    data = output.to_dict()
    data["equity_curve"] = _drawdown_points(output, float(request["initial_amount"]))
    return {"type": "result", "output": data}


def serve(memory_mb: int, *, network: bool = False) -> None:
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # un print() du code utilisateur ne corrompt pas le tube de réponses
    started = time.perf_counter()
    isolated = False if network else isolate_network()
    limit_resources(memory_mb)
    import numpy  # noqa: F401  (imports chauds avant la requête)
    import pandas  # noqa: F401

    import apps.backtest.engine  # noqa: F401
    from apps.strategies.runtime.compat import install_pandas_ta_alias

    install_pandas_ta_alias()
    _send(replies, {"type": "ready", "pid": os.getpid(), "network_isolated": isolated,
                    "warmup_ms": (time.perf_counter() - started) * 1000})
    payload = read_frame(sys.stdin.buffer)
    if payload is None:
        return
    request = pickle.loads(payload)  # noqa: S301 (vient du parent, de confiance)

    def progress(pct: float) -> None:
        _send(replies, {"type": "progress", "progress": float(pct)})

    try:
        # Les print() de la stratégie (appelée à chaque bougie) ne vont nulle part.
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), \
                contextlib.redirect_stderr(sink):
            message = run_request(request, progress)
        _send(replies, message)
    except (TypeError, ValueError) as exc:
        _send(replies, {"type": "error", "message": f"Résultat illisible : {exc}"})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Worker de backtest Aristobot")
    parser.add_argument("--memory-mb", type=int, default=4096)
    parser.add_argument("--allow-network", action="store_true")
    args = parser.parse_args(argv)
    serve(args.memory_mb, network=args.allow_network)


if __name__ == "__main__":
    main()
