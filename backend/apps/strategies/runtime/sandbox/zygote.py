"""Processus modèle (« zygote ») : imports chauds, puis un enfant neuf par évaluation.

Lancé par `client.Sandbox` avec l'interpréteur en mode isolé (`python -I -B`), un environnement
en liste blanche (aucun secret) et un socket de contrôle hérité (`--control-fd`). Il n'exécute
JAMAIS de code utilisateur et ne reçoit jamais de requête : seulement des ordres du parent.

1. importe les gestionnaires (`--handler kind=module:fonction`, pandas, numpy, pandas-ta…) et les
   « chauffe » sur une stratégie connue (`warm()` du module : imports paresseux, caches) ;
2. prépare le confinement (`confine.prepare`) et le vérifie sur un enfant témoin ;
3. `gc.freeze()` puis boucle : pour chaque ordre `spawn`, reçoit deux tubes (SCM_RIGHTS), fait un
   `fork()` ; l'enfant se confine, lit la requête sur son tube, répond sur l'autre, et sort.
   Ordres et comptes rendus (JSON sur un socket SOCK_SEQPACKET) :
   parent → modèle : `{"op": "spawn", "id", "kind", "limits"}` + 2 descripteurs ; `{"op": "kill", "id"}` ;
   modèle → parent : `ready` (confinement), `spawned` (pid, durée du fork), `spawn_failed`,
   `exited` (statut `waitpid`, temps CPU, mémoire maximale).
Le modèle s'arrête quand le parent ferme le socket (il tue alors ses enfants) ; chaque enfant
meurt aussi avec le modèle (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import selectors
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from apps.strategies.runtime.sandbox.child import Channel, Handler, child_main
from apps.strategies.runtime.sandbox.confine import Confinement, Limits, prepare
from apps.strategies.runtime.sandbox.frames import HEADER, decode, request_parts

PROBE_KIND = "__probe__"
PROBE_WRITE_PATH = "/tmp/aristobot-sandbox-probe"  # noqa: S108 (ne doit PAS pouvoir être créé)


def _fork_and_exit() -> None:
    if os.fork() == 0:  # seulement si le filtre a laissé passer : le petit-enfant sort aussitôt
        os._exit(0)


def _probe(request: dict[str, Any], channel: Channel, limits: Limits) -> dict[str, Any]:
    """Enfant témoin : chaque action interdite doit échouer (True = bien refusée)."""
    checks: dict[str, bool] = {}

    def refused(name: str, action: Any) -> None:
        try:
            action()
        except OSError:
            checks[name] = True
        else:
            checks[name] = False

    refused("socket_unix", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
    refused("socket_inet", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    for index, path in enumerate(request.get("sensitive") or []):
        refused(f"read_{index}", lambda p=path: os.close(os.open(p, os.O_RDONLY)))
    refused("write", lambda: os.close(os.open(PROBE_WRITE_PATH, os.O_WRONLY | os.O_CREAT, 0o600)))
    refused("fork", _fork_and_exit)
    refused("kill_parent", lambda: os.kill(os.getppid(), 0))
    return {"checks": checks}


class Zygote:
    def __init__(self, control: socket.socket, handlers: dict[str, Handler],
                 confinement: Confinement) -> None:
        self.control = control
        self.handlers = handlers
        self.confinement = confinement
        self.children: dict[int, int] = {}  # pid → id de la requête
        self.pid = os.getpid()

    # --- enfants ---------------------------------------------------------------------------
    def fork_child(self, kind: str, limits: Limits, request_fd: int, reply_fd: int) -> int:
        handler = self.handlers[kind]
        pid = os.fork()
        if pid == 0:  # enfant : ne revient jamais
            try:
                child_main(confinement=self.confinement, handler=handler, limits=limits,
                           request_fd=request_fd, reply_fd=reply_fd, zygote_pid=self.pid)
            finally:
                os._exit(71)
        return pid

    def probe(self, sensitive: list[str]) -> dict[str, bool]:
        """Vérifie le confinement sur un enfant témoin ; {vérification: refusée ?}."""
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        pid = self.fork_child(PROBE_KIND, Limits(wall_s=10, cpu_s=10, memory_mb=256), req_r, rep_w)
        os.close(req_r)
        os.close(rep_w)
        try:
            os.write(req_w, b"".join(request_parts({"sensitive": sensitive})))
        except OSError:
            pass
        os.close(req_w)
        data = b""
        while chunk := os.read(rep_r, 65536):
            data += chunk
        os.close(rep_r)
        os.waitpid(pid, 0)
        try:
            message = decode(data[HEADER.size:])
        except ValueError:
            return {"reponse": False}
        checks = message.get("checks")
        return checks if isinstance(checks, dict) else {"reponse": False}

    def reap(self) -> None:
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            job = self.children.pop(pid, None)
            if job is not None:
                self.send({"op": "exited", "id": job, "pid": pid, "status": status,
                           "cpu_s": round(usage.ru_utime + usage.ru_stime, 4),
                           "maxrss_kb": usage.ru_maxrss})

    # --- ordres du parent ------------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        try:
            self.control.send(json.dumps(message).encode())
        except OSError:
            pass  # parent parti : le modèle s'arrête à la prochaine lecture du socket

    def handle(self, message: dict[str, Any], fds: list[int]) -> None:
        op, job = message.get("op"), message.get("id")
        if op == "spawn":
            try:
                if len(fds) != 2:
                    raise ValueError("deux descripteurs attendus")
                started = time.perf_counter()
                pid = self.fork_child(str(message["kind"]), Limits.from_dict(message["limits"]),
                                      fds[0], fds[1])
                self.children[pid] = job
                self.send({"op": "spawned", "id": job, "pid": pid,
                           "fork_ms": round((time.perf_counter() - started) * 1000, 3)})
            except (OSError, KeyError, ValueError, TypeError) as exc:
                self.send({"op": "spawn_failed", "id": job, "error": str(exc)})
        elif op == "kill":
            for pid, child_job in self.children.items():
                if child_job == job:  # pas encore récupéré par wait4 : le pid est toujours le sien
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        for fd in fds:
            os.close(fd)

    def serve(self) -> None:
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        os.set_blocking(wake_r, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        selector = selectors.DefaultSelector()
        selector.register(self.control, selectors.EVENT_READ, "control")
        selector.register(wake_r, selectors.EVENT_READ, "wake")
        try:
            while True:
                for key, _ in selector.select():
                    if key.data == "wake":
                        try:
                            while os.read(wake_r, 512):
                                pass
                        except BlockingIOError:
                            pass
                        self.reap()
                        continue
                    data, fds, _flags, _addr = socket.recv_fds(self.control, 65536, 4)
                    if not data:
                        return
                    try:
                        message = json.loads(data)
                    except ValueError:
                        message = {}
                    self.handle(message, fds)
                self.reap()
        finally:
            for pid in list(self.children):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _load_handler(spec: str) -> tuple[Handler, Any]:
    module_name, _, func = spec.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, func), getattr(module, "warm", None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Processus modèle du bac à sable des stratégies")
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--handler", action="append", default=[], help="kind=module:fonction")
    parser.add_argument("--uid", type=int)
    parser.add_argument("--gid", type=int)
    parser.add_argument("--deny", action="append", default=[],
                        help="chemin jamais lisible par les enfants, ni rien dedans (répétable)")
    parser.add_argument("--private", action="append", default=[],
                        help="dossier illisible dans son ensemble (dossier personnel)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C : c'est le parent qui arrête tout
    control = socket.socket(fileno=args.control_fd)
    started = time.perf_counter()
    handlers: dict[str, Handler] = {PROBE_KIND: _probe}
    for spec in args.handler:
        kind, _, target = spec.partition("=")
        handler, warm = _load_handler(target)
        if warm is not None:
            warm()
        handlers[kind] = handler
    deny, private = [Path(p) for p in args.deny], [Path(p) for p in args.private]
    confinement = prepare(uid=args.uid, gid=args.gid, deny=deny, private=private)
    zygote = Zygote(control, handlers, confinement)
    checks: dict[str, bool] = {}
    if sys.platform.startswith("linux") and (confinement.seccomp or confinement.ruleset):
        checks = zygote.probe([str(p) for p in (*deny, *private) if p.exists()])
        failed = sorted(name for name, ok in checks.items() if not ok)
        confinement.verified = not failed
        if failed:
            confinement.problems["vérification"] = "non refusé : " + ", ".join(failed)
    gc.collect()
    gc.freeze()  # les enfants ne recopient pas les pages du modèle à chaque passage du GC
    zygote.send({"op": "ready", "pid": os.getpid(),
                 "warmup_ms": round((time.perf_counter() - started) * 1000, 1),
                 "containment": confinement.report(), "checks": checks})
    zygote.serve()
