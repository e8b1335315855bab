"""Un processus worker vu du parent : lancement, appel avec délai, arrêt.

Le worker est lancé par `subprocess` avec l'interpréteur courant en mode isolé (`-I` : ni
PYTHONPATH, ni site utilisateur, ni variables PYTHON*), dans un environnement construit depuis une
liste blanche (`clean_env`) : ni DJANGO_SETTINGS_MODULE, ni SECRET_KEY, ni URL de base ou de Redis,
ni clé d'API. Le délai est mesuré côté parent (horloge murale) ; un worker qui dépasse est tué.
"""

from __future__ import annotations

import json
import os
import pickle
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from apps.strategies.runtime.worker import HEADER, MAX_RESPONSE_BYTES

#: Dossier `backend/` (racine des imports `apps.…`).
BACKEND_DIR = Path(__file__).resolve().parents[3]
#: Variables d'environnement transmises telles quelles au worker.
ENV_ALLOWLIST = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")
#: Variables imposées : un seul thread de calcul par worker (les workers sont déjà N processus).
ENV_FIXED = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONIOENCODING": "utf-8",
}
BOOTSTRAP = (
    "import sys; sys.path.insert(0, {path!r}); "
    "from apps.strategies.runtime.worker import main; main()"
)


class WorkerFailure(Exception):
    """Le worker n'a pas rendu de réponse exploitable (il doit être remplacé)."""


class WorkerStartError(WorkerFailure):
    """Le worker n'a pas pu démarrer."""


class WorkerTimeout(WorkerFailure):
    """Le worker n'a pas répondu dans le délai."""


class WorkerCrashed(WorkerFailure):
    """Le worker s'est arrêté pendant l'appel."""

    def __init__(self, returncode: int | None) -> None:
        super().__init__(f"worker arrêté (code {returncode})")
        self.returncode = returncode


class WorkerProtocolError(WorkerFailure):
    """Le worker a écrit des données incohérentes sur le tube de réponses."""


def clean_env() -> dict[str, str]:
    """Environnement minimal du worker (liste blanche, aucun secret)."""
    env = {key: os.environ[key] for key in ENV_ALLOWLIST if key in os.environ}
    env.setdefault("PATH", "/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env.update(ENV_FIXED)
    return env


def describe_exit(returncode: int | None) -> str:
    """Texte français pour un code de sortie de processus."""
    if returncode is None:
        return "code inconnu"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        hint = " — mémoire épuisée ?" if -returncode == signal.SIGKILL else ""
        return f"tué par {name}{hint}"
    return f"code de sortie {returncode}"


class WorkerProcess:
    """Un worker : `start()`, puis `call(request, timeout)` une requête à la fois."""

    def __init__(self, *, memory_mb: int, start_timeout: float = 60.0,
                 isolate_network: bool = True) -> None:
        self.memory_mb = memory_mb
        self.start_timeout = start_timeout
        self.isolate_network = isolate_network
        self.proc: subprocess.Popen[bytes] | None = None
        self.warmup_ms: float | None = None
        self.network_isolated = False

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def spawn(self) -> None:
        """Lance le processus sans attendre qu'il soit prêt."""
        cmd = [sys.executable, "-I", "-B", "-c", BOOTSTRAP.format(path=str(BACKEND_DIR)),
               "--memory-mb", str(self.memory_mb)]
        if not self.isolate_network:
            cmd.append("--allow-network")
        try:
            self.proc = subprocess.Popen(  # noqa: S603 (commande fixe)
                cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=clean_env(),
                cwd=str(BACKEND_DIR), close_fds=True, start_new_session=True, bufsize=0,
            )
        except OSError as exc:
            self.proc = None
            raise WorkerStartError(f"lancement impossible : {exc}") from exc

    def wait_ready(self) -> None:
        """Attend le message « prêt » du worker (imports chauds faits)."""
        try:
            hello = self._read(self.start_timeout)
        except WorkerFailure as exc:
            self.kill()
            raise WorkerStartError(str(exc)) from exc
        self.warmup_ms = hello.get("warmup_ms")
        self.network_isolated = bool(hello.get("network_isolated"))

    def start(self) -> None:
        self.spawn()
        self.wait_ready()

    def call(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Envoie une requête et attend la réponse ; `WorkerFailure` sinon (worker à remplacer)."""
        if not self.alive:
            raise WorkerCrashed(self.proc.returncode if self.proc else None)
        payload = pickle.dumps(request, protocol=5)
        try:
            assert self.proc is not None and self.proc.stdin is not None
            self.proc.stdin.write(HEADER.pack(len(payload)) + payload)
        except (BrokenPipeError, OSError):
            raise WorkerCrashed(self._reap()) from None
        return self._read(timeout)

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        deadline = time.monotonic() + timeout
        buf = bytearray()
        size: int | None = None
        while size is None or len(buf) < HEADER.size + size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise WorkerTimeout(f"pas de réponse en {timeout:g} s")
            if not poller.poll(remaining * 1000):
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise WorkerCrashed(self._reap())
            buf += chunk
            if size is None and len(buf) >= HEADER.size:
                (size,) = HEADER.unpack_from(buf)
                if size > MAX_RESPONSE_BYTES:
                    self.kill()
                    raise WorkerProtocolError(f"réponse de {size} octets refusée")
        if len(buf) != HEADER.size + size:
            self.kill()
            raise WorkerProtocolError("données en trop sur le tube de réponses")
        try:
            return json.loads(bytes(buf[HEADER.size:]))
        except ValueError as exc:
            self.kill()
            raise WorkerProtocolError(f"réponse illisible : {exc}") from None

    def _reap(self) -> int | None:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.proc.returncode

    def kill(self) -> None:
        """Tue le worker (SIGKILL) et récupère son statut ; sans effet s'il est déjà mort."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover (D-state)
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass

    def stop(self) -> None:
        """Arrêt propre : fermer stdin fait sortir le worker ; sinon SIGKILL."""
        if self.proc is None:
            return
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(timeout=1)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()
