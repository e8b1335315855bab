#!/usr/bin/env python3
"""Superviseur des processus d'Aristobot (utilisé par `make run` et `make demo`).

Lance, depuis `backend/`, avec le Python qui l'exécute (celui du venv) :
  [daphne]     daphne -b 127.0.0.1 -p 8000 aristobot.asgi:application (API, WebSocket, SPA)
  [heartbeat]  manage.py run_heartbeat
  [engine]     manage.py run_trading_engine
  [simulator]  manage.py run_exchange_simulator (avec --demo seulement ; démarré en premier,
               et ARISTOBOT_BINANCE_REST_URL / ARISTOBOT_BINANCE_WS_URL pointent vers lui)

Chaque ligne de sortie (stdout et stderr) est préfixée par l'étiquette colorée du processus.
L'URL est affichée dès que Daphne répond.

Choix : un processus qui s'arrête est signalé en français puis REDÉMARRÉ, avec une attente
croissante (1, 2, 4 … 30 s ; remise à 1 s après 60 s de fonctionnement). Le heartbeat ne
doit jamais s'arrêter en silence, et les autres services continuent pendant ce temps.
Ctrl-C ou SIGTERM arrête tout : SIGTERM à chaque processus (et à son groupe), puis SIGKILL
après le délai de grâce (--grace, 10 s) ; le simulateur s'arrête en dernier. Un second Ctrl-C
force l'arrêt immédiat.

Bibliothèque standard uniquement (asyncio + subprocess).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parent.parent
BACKEND_DIR = ROOT_DIR / "backend"

STABLE_AFTER_S = 60.0
MAX_BACKOFF_S = 30.0
LINE_LIMIT = 1 << 20
SUPERVISOR = "superviseur"

COLOURS = {
    "daphne": "\033[1;36m",
    "heartbeat": "\033[1;35m",
    "engine": "\033[1;33m",
    "simulator": "\033[1;32m",
    SUPERVISOR: "\033[1;37m",
}
RESET = "\033[0m"


@dataclass(frozen=True)
class ProcessSpec:
    """Un processus à superviser : son étiquette et sa ligne de commande."""

    name: str
    argv: list[str]


@dataclass
class Child:
    """État courant d'un processus supervisé."""

    spec: ProcessSpec
    process: asyncio.subprocess.Process | None = None
    restarts: int = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None


def death_signal_preexec() -> Callable[[], None] | None:
    """Sous Linux : l'enfant reçoit SIGTERM si le superviseur meurt (prctl PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return preexec


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"tué par {signal.Signals(-code).name}"
        except ValueError:
            return f"tué par le signal {-code}"
    return f"code de sortie {code}"


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


async def tcp_answers(host: str, port: int) -> bool:
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True


async def http_answers(host: str, port: int) -> bool:
    """Vrai si un serveur HTTP répond (quel que soit le statut)."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(f"GET /api/auth/me/ HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode())
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 5)
        return status.startswith(b"HTTP/")
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


class Supervisor:
    """Lance les processus, préfixe leurs sorties, les redémarre, arrête tout proprement."""

    def __init__(
        self,
        specs: list[ProcessSpec],
        *,
        env: dict[str, str],
        host: str,
        port: int,
        grace: float,
        colour: bool,
        first_ready_port: int | None = None,
    ) -> None:
        self.children = [Child(spec) for spec in specs]
        self.env = env
        self.host = host
        self.port = port
        self.grace = grace
        self.colour = colour
        self.first_ready_port = first_ready_port
        self.stopping = asyncio.Event()
        self.forced = False
        self.announced = False
        self.preexec = death_signal_preexec()
        self.width = max(len(name) for name in [SUPERVISOR, *(s.name for s in specs)]) + 2

    # --- affichage ---

    def emit(self, name: str, line: str) -> None:
        tag = f"[{name}]".ljust(self.width)
        if self.colour:
            tag = f"{COLOURS.get(name, '')}{tag}{RESET}"
        sys.stdout.write(f"{tag} {line}\n")
        sys.stdout.flush()

    def say(self, message: str) -> None:
        self.emit(SUPERVISOR, message)

    # --- signaux ---

    def request_stop(self, signum: int) -> None:
        if self.stopping.is_set():
            if not self.forced:
                self.forced = True
                self.say("second signal : arrêt forcé (SIGKILL).")
                self.kill_all(signal.SIGKILL)
            return
        self.say(f"{signal.Signals(signum).name} reçu : arrêt de tous les processus…")
        self.stopping.set()

    def kill_all(self, sig: signal.Signals) -> None:
        self.signal_children(self.children, sig)

    @staticmethod
    def signal_children(children: list[Child], sig: signal.Signals) -> None:
        """Envoie `sig` au groupe de chaque processus vivant (il a sa propre session)."""
        for child in children:
            if child.running and child.process is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(child.process.pid, sig)

    # --- cycle de vie d'un processus ---

    async def spawn(self, child: Child) -> asyncio.subprocess.Process:
        process = await asyncio.create_subprocess_exec(
            *child.spec.argv,
            cwd=BACKEND_DIR,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C ne touche que le superviseur, qui arrête dans l'ordre
            preexec_fn=self.preexec,
            limit=LINE_LIMIT,
        )
        child.process = process
        self.say(f"{child.spec.name} démarré (pid {process.pid})")
        return process

    async def pump(self, child: Child, stream: asyncio.StreamReader) -> None:
        while True:
            try:
                raw = await stream.readline()
            except ValueError:
                self.emit(child.spec.name, "[ligne de plus de 1 Mio ignorée]")
                continue
            if not raw:
                return
            self.emit(child.spec.name, raw.decode("utf-8", errors="replace").rstrip("\r\n"))

    async def keep_alive(self, child: Child) -> None:
        backoff = 1.0
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                process = await self.spawn(child)
            except OSError as exc:
                self.say(f"impossible de lancer {child.spec.name} : {exc}")
                code = 127
            else:
                assert process.stdout is not None
                pump = asyncio.create_task(self.pump(child, process.stdout))
                watcher = None
                if child.spec.name == "daphne":
                    watcher = asyncio.create_task(self.announce_when_ready(process))
                code = await process.wait()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(pump, 5)  # un petit-enfant peut garder le tube ouvert
                if watcher is not None:
                    watcher.cancel()
            if self.stopping.is_set():
                self.say(f"{child.spec.name} arrêté ({describe_exit(code)})")
                return
            uptime = time.monotonic() - started
            if uptime >= STABLE_AFTER_S:
                backoff = 1.0
            child.restarts += 1
            self.say(
                f"ATTENTION : {child.spec.name} s'est arrêté ({describe_exit(code)}) après "
                f"{uptime:.0f} s ; redémarrage n° {child.restarts} dans {backoff:.0f} s."
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    async def announce_when_ready(self, process: asyncio.subprocess.Process) -> None:
        url = f"http://{self.host}:{self.port}"
        while process.returncode is None:
            if await http_answers(self.host, self.port):
                if self.announced:
                    self.say(f"Daphne répond de nouveau : {url}")
                    return
                self.announced = True
                bar = "═" * (len(url) + 26)
                for line in (
                    bar,
                    f"  Aristobot est prêt : {url}",
                    "  (Ctrl-C pour tout arrêter)",
                    bar,
                ):
                    self.say(line)
                return
            await asyncio.sleep(0.5)

    # --- ensemble ---

    async def shutdown(self) -> None:
        """SIGTERM puis SIGKILL ; le simulateur (dont dépendent les autres) s'arrête en dernier."""
        first = [c for c in self.children if c.spec.name != "simulator"]
        last = [c for c in self.children if c.spec.name == "simulator"]
        for group in (first, last):
            await self.stop_group([c for c in group if c.running])

    async def stop_group(self, children: list[Child]) -> None:
        if not children:
            return
        names = ", ".join(c.spec.name for c in children)
        self.say(f"SIGTERM envoyé à : {names} (SIGKILL dans {self.grace:.0f} s au besoin)")
        self.signal_children(children, signal.SIGTERM)
        waits = [c.process.wait() for c in children if c.process is not None]
        try:
            await asyncio.wait_for(asyncio.gather(*waits), self.grace)
        except TimeoutError:
            late = [c for c in children if c.running]
            names = ", ".join(c.spec.name for c in late)
            self.say(f"toujours actifs après {self.grace:.0f} s : {names} → SIGKILL")
            self.signal_children(late, signal.SIGKILL)
            await asyncio.gather(*(c.process.wait() for c in late if c.process is not None))

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.request_stop, signum)
        tasks: list[asyncio.Task[None]] = []
        children = list(self.children)
        if self.first_ready_port is not None:
            # Le simulateur d'abord : le heartbeat et le moteur s'y connectent dès leur départ.
            first = children.pop(0)
            tasks.append(asyncio.create_task(self.keep_alive(first)))
            await self.wait_for_port(first.spec.name, self.first_ready_port)
        if not self.stopping.is_set():
            tasks += [asyncio.create_task(self.keep_alive(child)) for child in children]
        await self.stopping.wait()
        await self.shutdown()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 10)
        self.say("tous les processus sont arrêtés.")
        return 0

    async def wait_for_port(self, name: str, port: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stopping.is_set():
            if await tcp_answers(self.host, port):
                self.say(f"{name} écoute sur le port {port}")
                return
            await asyncio.sleep(0.3)
        if not self.stopping.is_set():
            self.say(f"ATTENTION : {name} n'écoute pas sur le port {port} ; on continue quand même.")


def build_specs(args: argparse.Namespace) -> list[ProcessSpec]:
    manage = [sys.executable, "manage.py"]
    specs: list[ProcessSpec] = []
    if args.demo:
        simulator = [*manage, "run_exchange_simulator", "--host", args.host]
        simulator += ["--port", str(args.sim_port)]
        if args.sim_seed is not None:
            simulator += ["--seed", str(args.sim_seed)]
        if args.sim_speed is not None:
            simulator += ["--speed", str(args.sim_speed)]
        specs.append(ProcessSpec("simulator", simulator))
    daphne = [sys.executable, "-m", "daphne", "-b", args.host, "-p", str(args.port)]
    specs.append(ProcessSpec("daphne", [*daphne, "aristobot.asgi:application"]))
    specs.append(ProcessSpec("heartbeat", [*manage, "run_heartbeat"]))
    specs.append(ProcessSpec("engine", [*manage, "run_trading_engine"]))
    return specs


def build_env(args: argparse.Namespace) -> dict[str, str]:
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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    colour = not args.no_color and "NO_COLOR" not in os.environ
    colour = colour and (sys.stdout.isatty() or "FORCE_COLOR" in os.environ)
    ports = [("Daphne", args.port)] + ([("le simulateur", args.sim_port)] if args.demo else [])
    for label, port in ports:
        if not port_is_free(args.host, port):
            print(
                f"[{SUPERVISOR}] ERREUR : le port {port} ({label}) est déjà utilisé sur "
                f"{args.host} : une autre instance d'Aristobot tourne-t-elle ?",
                file=sys.stderr,
            )
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


if __name__ == "__main__":
    sys.exit(main())
