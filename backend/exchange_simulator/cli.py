"""Lancement en ligne de commande, partagé par ``manage.py run_exchange_simulator`` et
``python -m exchange_simulator`` (ce dernier sans Django, pratique pour les bancs d'essai)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .server import ExchangeSimulator
from .symbols import resolve_symbols

logger = logging.getLogger("aristobot.simulator")


def _start_time(value: str) -> int:
    """Ancre de l'horloge : millisecondes Unix ou date ISO 8601 (UTC si sans fuseau)."""
    if value.isdigit():
        return int(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options communes (noms stables, cf. ``/work/shared/INTERFACES.md``)."""
    parser.add_argument("--host", default="127.0.0.1", help="Adresse d'écoute (défaut : 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="Port d'écoute (défaut : 8765)")
    parser.add_argument("--seed", type=int, default=42, help="Graine du marché (défaut : 42)")
    parser.add_argument("--speed", type=float, default=1.0, help="Accélération du temps simulé (défaut : 1)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="Latence ajoutée à chaque requête REST")
    parser.add_argument(
        "--symbols", default="", help="Paires servies, séparées par des virgules (défaut : toutes)"
    )
    parser.add_argument(
        "--max-connection-seconds",
        type=float,
        default=None,
        help="Coupe chaque WebSocket après N secondes réelles (simule la coupure des 24 h)",
    )
    parser.add_argument(
        "--ws-heartbeat", type=float, default=20.0, help="Intervalle des pings WebSocket serveur (s)"
    )
    parser.add_argument(
        "--start-time",
        type=_start_time,
        default=None,
        help="Heure simulée au démarrage (ms Unix ou ISO 8601) ; défaut : maintenant",
    )


def build_simulator(options: dict[str, Any]) -> ExchangeSimulator:
    symbols = [s for s in str(options.get("symbols") or "").split(",") if s.strip()]
    resolve_symbols(symbols)  # lève ValueError (message français) si une paire est inconnue
    return ExchangeSimulator(
        seed=int(options["seed"]),
        speed=float(options["speed"]),
        latency_ms=float(options["latency_ms"]),
        symbols=symbols or None,
        anchor_ms=options.get("start_time"),
        ws_heartbeat=float(options["ws_heartbeat"]),
        max_connection_seconds=options.get("max_connection_seconds"),
    )


async def serve(options: dict[str, Any], announce: Callable[[str], None] = print) -> None:
    """Démarre le simulateur et attend SIGINT/SIGTERM pour l'arrêter proprement."""
    sim = build_simulator(options)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    async with contextlib.AsyncExitStack() as stack:
        await sim.start(options["host"], int(options["port"]))
        stack.push_async_callback(sim.stop)
        announce(
            f"Simulateur Binance prêt : REST {sim.base_url}/api/v3, WebSocket {sim.ws_url}/stream, "
            f"admin {sim.base_url}/sim/ (graine {sim.seed}, vitesse ×{sim.speed}, "
            f"{len(sim.specs)} paires). Ctrl+C pour arrêter."
        )
        await stop.wait()
        announce("Arrêt du simulateur…")
    for sig in installed:
        loop.remove_signal_handler(sig)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Simulateur d'échange compatible Binance spot")
    add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        asyncio.run(serve(vars(args)))
    except ValueError as exc:
        parser.error(str(exc))
