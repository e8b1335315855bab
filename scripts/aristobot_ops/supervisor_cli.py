"""`scripts/supervisor.py` : arguments, processus à lancer, vérification des ports."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from .console import report
from .net import port_is_free
from .processes import ProcessSpec
from .supervision import SIMULATOR, SUPERVISOR, Supervisor


def build_specs(args: argparse.Namespace) -> list[ProcessSpec]:
    """Simulateur (avec --demo, en premier), Daphne, heartbeat, moteur : Python courant."""
    manage = [sys.executable, "manage.py"]
    specs: list[ProcessSpec] = []
    if args.demo:
        simulator = [*manage, "run_exchange_simulator", "--host", args.host]
        simulator += ["--port", str(args.sim_port)]
        if args.sim_seed is not None:
            simulator += ["--seed", str(args.sim_seed)]
        if args.sim_speed is not None:
            simulator += ["--speed", str(args.sim_speed)]
        specs.append(ProcessSpec(SIMULATOR, simulator))
    daphne = [sys.executable, "-m", "daphne", "-b", args.host, "-p", str(args.port)]
    specs.append(ProcessSpec("daphne", [*daphne, "aristobot.asgi:application"]))
    specs.append(ProcessSpec("heartbeat", [*manage, "run_heartbeat"]))
    specs.append(ProcessSpec("engine", [*manage, "run_trading_engine"]))
    return specs


def build_env(args: argparse.Namespace) -> dict[str, str]:
    """L'environnement des processus ; avec --demo, les URL Binance visent le simulateur."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if args.demo:
        env["ARISTOBOT_BINANCE_REST_URL"] = f"http://{args.host}:{args.sim_port}"
        env["ARISTOBOT_BINANCE_WS_URL"] = f"ws://{args.host}:{args.sim_port}"
    return env


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Lance et surveille les processus d'Aristobot.")
    parser.add_argument("--demo", action="store_true", help="lance aussi le simulateur d'exchange")
    parser.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("ARISTOBOT_PORT", "8000")),
        help="port de Daphne (ARISTOBOT_PORT, 8000)",
    )
    parser.add_argument("--sim-port", type=int, default=8765, help="port du simulateur (8765)")
    parser.add_argument("--sim-seed", type=int, default=None, help="graine du simulateur")
    parser.add_argument("--sim-speed", type=float, default=None, help="vitesse du simulateur (×)")
    parser.add_argument("--grace", type=float, default=10.0, help="délai avant SIGKILL (10 s)")
    parser.add_argument("--no-color", action="store_true", help="sans couleurs")
    return parser.parse_args(argv)


def busy_port(args: argparse.Namespace) -> str | None:
    """Le message d'erreur si le port de Daphne (ou du simulateur) est déjà pris, sinon None."""
    ports = [("Daphne", args.port)] + ([("le simulateur", args.sim_port)] if args.demo else [])
    for label, port in ports:
        if not port_is_free(args.host, port):
            return (
                f"le port {port} ({label}) est déjà utilisé sur {args.host} : "
                "une autre instance d'Aristobot tourne-t-elle ?"
            )
    return None


def main(argv: list[str] | None = None) -> int:
    """Point d'entrée : 1 si un port est déjà pris, sinon 0 après l'arrêt de tous les processus."""
    args = parse_args(argv)
    colour = not args.no_color and "NO_COLOR" not in os.environ
    colour = colour and (sys.stdout.isatty() or "FORCE_COLOR" in os.environ)
    problem = busy_port(args)
    if problem is not None:
        report(SUPERVISOR, problem, level="ERREUR")
        return 1
    supervisor = Supervisor(
        build_specs(args),
        env=build_env(args),
        host=args.host,
        port=args.port,
        grace=args.grace,
        colour=colour,
        first_ready_port=args.sim_port if args.demo else None,
    )
    return asyncio.run(supervisor.run())
