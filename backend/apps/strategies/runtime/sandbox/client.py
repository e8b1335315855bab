"""Le bac à sable vu du parent (Daphne, moteur) : un processus modèle, un enfant par évaluation.

    sandbox = Sandbox({"decision": "apps.strategies.runtime.decide:handle"}, name="moteur")
    reply = sandbox.run("decision", request, Limits(wall_s=5, cpu_s=5, memory_mb=1024))
    reply = await sandbox.arun("backtest", request, limits, on_frame=progress, max_bytes=…)
    sandbox.close()

Le parent ne fait jamais confiance à l'enfant (`wire.py` : trames plafonnées, enfant tué au
premier abus), le tue au-delà de sa limite de temps (horloge murale + marge) et traduit sa
mort en français. Les ordres au modèle passent
par un socket de contrôle ; un fil de lecture distribue ses comptes rendus. Sûr entre threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import itertools
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from apps.strategies.runtime.sandbox.confine import Limits
from apps.strategies.runtime.sandbox.frames import request_parts
from apps.strategies.runtime.sandbox.wire import (
    Child,
    ChildExit,
    ReplyReader,
    SandboxUnavailable,
    write_request,
)

logger = logging.getLogger(__name__)

#: Dossier `backend/` (racine des imports `apps.…`).
BACKEND_DIR = Path(__file__).resolve().parents[4]
PROJECT_DIR = BACKEND_DIR.parent
#: Variables d'environnement transmises telles quelles au modèle.
ENV_ALLOWLIST = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")
#: Variables imposées : un seul thread de calcul par processus.
ENV_FIXED = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONIOENCODING": "utf-8",
    "HOME": "/nonexistent",
}
BOOTSTRAP = (
    "import sys; sys.path.insert(0, {path!r}); "
    "from apps.strategies.runtime.sandbox.zygote import main; main()"
)
#: Taille demandée pour les tubes requête/réponse (plafonnée par /proc/sys/fs/pipe-max-size).
PIPE_BYTES = 1 << 20
#: Marge après la limite de temps murale avant que le parent ne tue l'enfant (s).
KILL_GRACE_MIN, KILL_GRACE_MAX = 0.25, 1.0


def clean_env() -> dict[str, str]:
    """Environnement minimal du modèle (liste blanche, aucun secret)."""
    env = {key: os.environ[key] for key in ENV_ALLOWLIST if key in os.environ}
    env.setdefault("PATH", "/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env.update(ENV_FIXED)
    return env


def denied_paths() -> list[Path]:
    """Chemins que les enfants ne lisent jamais, ni rien dedans : le code, les données, les
    secrets du projet (+ ARISTOBOT_SANDBOX_DENY, chemins séparés par « : »)."""
    paths = [BACKEND_DIR, PROJECT_DIR / ".data", PROJECT_DIR / ".env"]
    extra = os.environ.get("ARISTOBOT_SANDBOX_DENY", "")
    return paths + [Path(p) for p in extra.split(os.pathsep) if p]


def private_paths() -> list[Path]:
    """Dossiers illisibles dans leur ensemble (seul l'interpréteur qui s'y trouve reste lisible)."""
    return [Path.home(), Path(os.path.expanduser("~root"))]


class Sandbox:
    """Un processus modèle (démarré au premier usage, relancé s'il meurt) et ses enfants."""

    def __init__(self, handlers: Mapping[str, str], *, name: str = "stratégies",
                 max_children: int | None = None, uid: int | None = None, gid: int | None = None,
                 start_timeout: float = 90.0) -> None:
        self.handlers = dict(handlers)
        self.name = name
        self.uid = uid if uid is not None else _env_int("ARISTOBOT_SANDBOX_UID")
        self.gid = gid if gid is not None else _env_int("ARISTOBOT_SANDBOX_GID")
        self.start_timeout = start_timeout
        self._slots = threading.BoundedSemaphore(max_children) if max_children else None
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._children: dict[int, Child] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._ready = threading.Event()
        self._gone = threading.Event()  # socket de contrôle fermé : modèle mort ou arrêté
        self._ready_message: dict[str, Any] = {}
        self._closed = False

    # --- cycle de vie --------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return (self._proc is not None and self._proc.poll() is None and self._ready.is_set()
                and not self._gone.is_set())

    @property
    def zygote_pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def report(self) -> dict[str, Any]:
        """Confinement constaté par le modèle (`confine.Confinement.report`), {} avant démarrage."""
        return dict(self._ready_message.get("containment") or {})

    @property
    def warmup_ms(self) -> float | None:
        return self._ready_message.get("warmup_ms")

    def live_pids(self) -> list[int]:
        """PID des enfants en cours (diagnostic, tests)."""
        with self._lock:
            return [c.pid for c in self._children.values() if c.pid is not None and c.exit is None]

    def start(self) -> dict[str, Any]:
        """Démarre le modèle s'il ne tourne pas (imports chauds : ~1 s) ; renvoie le rapport."""
        with self._lock:
            if self._closed:
                raise SandboxUnavailable("Le bac à sable des stratégies est arrêté")
            if not self.alive:
                self._spawn_zygote()
            return self.report

    def _spawn_zygote(self) -> None:
        if not hasattr(os, "fork"):
            raise SandboxUnavailable("Le bac à sable des stratégies exige Linux ou macOS (fork)")
        self._kill_zygote()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        cmd = [sys.executable, "-I", "-B", "-c", BOOTSTRAP.format(path=str(BACKEND_DIR)),
               "--control-fd", str(theirs.fileno())]
        for kind, target in self.handlers.items():
            cmd += ["--handler", f"{kind}={target}"]
        for path in denied_paths():
            cmd += ["--deny", str(path)]
        for path in dict.fromkeys(private_paths()):
            cmd += ["--private", str(path)]
        if self.uid is not None:
            cmd += ["--uid", str(self.uid)]
        if self.gid is not None:
            cmd += ["--gid", str(self.gid)]
        try:
            proc = subprocess.Popen(  # noqa: S603 (commande fixe)
                cmd, stdin=subprocess.DEVNULL, env=clean_env(), cwd=str(BACKEND_DIR),
                pass_fds=(theirs.fileno(),), start_new_session=True,
            )
        except OSError as exc:
            ours.close()
            raise SandboxUnavailable(f"Le bac à sable des stratégies n'a pas pu démarrer : {exc}")
        finally:
            theirs.close()
        self._proc, self._control = proc, ours
        self._ready.clear()
        gone = self._gone = threading.Event()
        self._ready_message = {}
        reader = threading.Thread(target=self._read_control, args=(proc, ours, gone),
                                  name=f"sandbox-{self.name}", daemon=True)
        reader.start()
        if not self._ready.wait(self.start_timeout) or proc.poll() is not None or gone.is_set():
            self._kill_zygote()
            raise SandboxUnavailable("Le bac à sable des stratégies n'a pas pu démarrer (processus "
                                     "modèle arrêté ou trop lent)")
        report = self.report
        log = logger.info if report.get("level") == "complet" else logger.warning
        log("Bac à sable %s prêt en %s ms (pid %s) : %s", self.name, self.warmup_ms, proc.pid,
            report.get("message"))

    def _read_control(self, proc: subprocess.Popen[bytes], control: socket.socket,
                      gone: threading.Event) -> None:
        """Fil de lecture : distribue les comptes rendus du modèle jusqu'à sa fin."""
        while True:
            try:
                data = control.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            try:
                message = json.loads(data)
            except ValueError:
                continue
            op = message.get("op")
            if op == "ready":
                self._ready_message = message
                self._ready.set()
                continue
            with self._lock:
                child = self._children.get(message.get("id"))
            if child is None:
                continue
            if op == "spawned":
                child.pid, child.fork_ms = message.get("pid"), message.get("fork_ms")
                child._spawned.set()
            elif op == "spawn_failed":
                self._forget(child, ChildExit(None, error=str(message.get("error"))))
            elif op == "exited":
                self._forget(child, ChildExit(message.get("status"), message.get("cpu_s") or 0.0,
                                              message.get("maxrss_kb") or 0))
        # Modèle arrêté : ses enfants meurent avec lui (PR_SET_PDEATHSIG).
        gone.set()
        with self._lock:
            orphans = [c for c in self._children.values() if c.zygote is gone]
        for child in orphans:
            self._forget(child, ChildExit(None, error="processus modèle arrêté"))
        self._ready.set()  # débloque un démarrage en attente (qui verra le processus mort)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)

    def _forget(self, child: Child, exit_: ChildExit) -> None:
        with self._lock:
            self._children.pop(child.id, None)
        child._set_exit(exit_)

    def _send(self, message: dict[str, Any], fds: tuple[int, ...] = ()) -> None:
        control = self._control
        if control is None:
            raise SandboxUnavailable("Le bac à sable des stratégies n'est pas démarré")
        data = json.dumps(message).encode()
        with self._send_lock:
            try:
                if fds:
                    socket.send_fds(control, [data], list(fds))
                else:
                    control.send(data)
            except OSError as exc:
                raise SandboxUnavailable(f"Processus modèle injoignable : {exc}") from None

    def _kill_zygote(self) -> None:
        proc, control = self._proc, self._control
        self._proc, self._control = None, None
        if control is not None:
            with contextlib.suppress(OSError):
                control.shutdown(socket.SHUT_RDWR)
            control.close()
        if proc is not None and proc.poll() is None:
            try:
                proc.wait(timeout=2)  # socket fermé : le modèle tue ses enfants et sort
            except subprocess.TimeoutExpired:
                proc.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)

    def close(self) -> None:
        """Arrête le modèle et ses enfants (idempotent)."""
        with self._lock:
            self._closed = True
            self._kill_zygote()

    async def aclose(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.close)

    # --- évaluations ---------------------------------------------------------------------------
    def spawn(self, kind: str, limits: Limits) -> Child:
        """Demande un enfant neuf au modèle ; ses tubes sont prêts dès le retour."""
        if kind not in self.handlers:
            raise ValueError(f"Type d'évaluation inconnu : {kind}")
        self.start()
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        for fd in (req_w, rep_w):  # tubes de 1 Mo : moins d'allers-retours pour les gros échanges
            with contextlib.suppress(OSError, AttributeError):
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        child = Child(self, next(self._ids), req_w, rep_r, limits)
        with self._lock:
            child.zygote = self._gone
            self._children[child.id] = child
        try:
            self._send({"op": "spawn", "id": child.id, "kind": kind, "limits": limits.as_dict()},
                       (req_r, rep_w))
        except SandboxUnavailable:
            self._forget(child, ChildExit(None, error="processus modèle injoignable"))
            child.close()
            raise
        finally:
            os.close(req_r)
            os.close(rep_w)
        return child

    def run(self, kind: str, request: dict[str, Any], limits: Limits, *, max_bytes: int = 1 << 20,
            on_frame: Callable[[dict[str, Any]], None] | None = None,
            on_spawn: Callable[[Child], None] | None = None) -> dict[str, Any]:
        """Une évaluation complète (bloquant) : le message final de l'enfant (`type` = `result`
        ou `error`) ; `SandboxError` si l'enfant meurt, dépasse ses limites ou répond mal."""
        parts = request_parts(request)
        slots = self._slots
        if slots is not None:
            slots.acquire()
        try:
            child = self.spawn(kind, limits)
            if on_spawn is not None:
                on_spawn(child)
            try:
                grace = min(KILL_GRACE_MAX, max(KILL_GRACE_MIN, limits.wall_s * 0.2))
                write_request(child, parts,
                              time.monotonic() + max(10.0, limits.wall_s))
                reader = ReplyReader(child, deadline=time.monotonic() + limits.wall_s + grace,
                                     max_bytes=max_bytes, on_frame=on_frame)
                return reader.read()
            finally:
                child.kill()
                child.close()
        finally:
            if slots is not None:
                slots.release()

    async def arun(self, kind: str, request: dict[str, Any], limits: Limits, *,
                   max_bytes: int = 1 << 20,
                   on_frame: Callable[[dict[str, Any]], None] | None = None,
                   on_spawn: Callable[[Child], None] | None = None) -> dict[str, Any]:
        """`run()` depuis asyncio (dans un thread) ; annuler la tâche tue l'enfant aussitôt."""
        loop = asyncio.get_running_loop()
        holder: list[Child] = []

        def spawned(child: Child) -> None:
            holder.append(child)
            if on_spawn is not None:
                on_spawn(child)

        def relay(frame: dict[str, Any]) -> None:
            if on_frame is not None:
                loop.call_soon_threadsafe(on_frame, frame)

        job = asyncio.ensure_future(asyncio.to_thread(
            self.run, kind, request, limits, max_bytes=max_bytes, on_frame=relay,
            on_spawn=spawned))
        try:
            return await asyncio.shield(job)
        except asyncio.CancelledError:
            if holder:
                holder[0].kill()
            with contextlib.suppress(BaseException):
                await job
            raise


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else None
