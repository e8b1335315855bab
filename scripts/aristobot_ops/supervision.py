"""Le superviseur : lance les processus, préfixe leurs sorties, les redémarre, arrête tout.

Un processus qui s'arrête est signalé puis redémarré après une attente croissante (1, 2, 4 …
30 s ; remise à 1 s après 60 s de fonctionnement). Ctrl-C ou SIGTERM : SIGTERM à chaque groupe,
SIGKILL après le délai de grâce, le simulateur en dernier ; un second signal force l'arrêt.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time

from .console import report
from .net import http_answers, tcp_connects, wait_until
from .paths import BACKEND_DIR
from .processes import Child, ProcessSpec, death_signal_preexec, describe_exit, signal_groups

STABLE_AFTER_S = 60.0
MAX_BACKOFF_S = 30.0
LINE_LIMIT = 1 << 20
SUPERVISOR = "superviseur"
SIMULATOR = "simulator"

COLOURS = {
    "daphne": "\033[1;36m",
    "heartbeat": "\033[1;35m",
    "engine": "\033[1;33m",
    SIMULATOR: "\033[1;32m",
    SUPERVISOR: "\033[1;37m",
}


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
        colour = COLOURS.get(name, "") if self.colour else None
        report(name, line, stream=sys.stdout, width=self.width, colour=colour)

    def say(self, message: str) -> None:
        self.emit(SUPERVISOR, message)

    # --- signaux ---

    def request_stop(self, signum: int) -> None:
        if self.stopping.is_set():
            if not self.forced:
                self.forced = True
                self.say("second signal : arrêt forcé (SIGKILL).")
                signal_groups(self.children, signal.SIGKILL)
            return
        self.say(f"{signal.Signals(signum).name} reçu : arrêt de tous les processus…")
        self.stopping.set()

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

    async def run_once(self, child: Child) -> int:
        """Lance le processus une fois, relaie sa sortie jusqu'à sa fin ; renvoie son code."""
        try:
            process = await self.spawn(child)
        except OSError as exc:
            self.say(f"impossible de lancer {child.spec.name} : {exc}")
            return 127
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
        return code

    async def keep_alive(self, child: Child) -> None:
        backoff = 1.0
        while not self.stopping.is_set():
            started = time.monotonic()
            code = await self.run_once(child)
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
                for line in (bar, f"  Aristobot est prêt : {url}", "  (Ctrl-C pour tout arrêter)", bar):
                    self.say(line)
                return
            await asyncio.sleep(0.5)

    # --- ensemble ---

    async def shutdown(self) -> None:
        """SIGTERM puis SIGKILL ; le simulateur (dont dépendent les autres) s'arrête en dernier."""
        first = [c for c in self.children if c.spec.name != SIMULATOR]
        last = [c for c in self.children if c.spec.name == SIMULATOR]
        for group in (first, last):
            await self.stop_group([c for c in group if c.running])

    async def stop_group(self, children: list[Child]) -> None:
        if not children:
            return
        names = ", ".join(c.spec.name for c in children)
        self.say(f"SIGTERM envoyé à : {names} (SIGKILL dans {self.grace:.0f} s au besoin)")
        signal_groups(children, signal.SIGTERM)
        waits = [c.process.wait() for c in children if c.process is not None]
        try:
            await asyncio.wait_for(asyncio.gather(*waits), self.grace)
        except TimeoutError:
            late = [c for c in children if c.running]
            names = ", ".join(c.spec.name for c in late)
            self.say(f"toujours actifs après {self.grace:.0f} s : {names} → SIGKILL")
            signal_groups(late, signal.SIGKILL)
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
        """Attend qu'un processus écoute sur `port` (un arrêt demandé interrompt l'attente)."""

        def ready_or_stopping() -> bool:
            return self.stopping.is_set() or tcp_connects(self.host, port)

        listening = await asyncio.to_thread(wait_until, ready_or_stopping, timeout)
        if self.stopping.is_set():
            return
        if listening:
            self.say(f"{name} écoute sur le port {port}")
        else:
            self.say(f"ATTENTION : {name} n'écoute pas sur le port {port} ; on continue quand même.")
