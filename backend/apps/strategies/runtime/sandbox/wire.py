"""Un enfant du bac à sable vu du parent : sa poignée (`Child`), sa requête écrite, sa réponse
lue avec méfiance, sa fin traduite en français.

Le parent ne fait jamais confiance à l'enfant : il lit des trames JSON plafonnées (taille de
chaque trame, total, nombre de valeurs, cadence des trames de progression) et tue l'enfant au
premier abus ou au-delà de sa limite de temps. Les erreurs sont en français (`SandboxError`).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from apps.strategies.runtime.sandbox.child import EXIT_CONFINEMENT, EXIT_PROTOCOL
from apps.strategies.runtime.sandbox.confine import Limits
from apps.strategies.runtime.sandbox.frames import HEADER, FrameError, decode

if TYPE_CHECKING:
    from apps.strategies.runtime.sandbox.client import Sandbox

#: Trames de progression : taille maximale et cadence tolérée (au-delà : enfant tué).
PROGRESS_FRAME_BYTES = 4096
PROGRESS_BURST, PROGRESS_PER_SECOND = 20, 20.0
#: Nombre maximal de valeurs JSON (séparateurs `,` `:` et ouvrants `{` `[`, comptés AVANT de
#: décoder) d'une réponse : un objet Python coûte jusqu'à ~25 fois sa taille JSON (une suite de
#: `{},`), ce plafond borne donc la mémoire du parent (~300 Mo au pire). Un backtest d'un an en 1m
#: de l'exemple EMA (11 839 trades) en compte 480 000 ; une décision, quelques dizaines.
MAX_VALUES = 4_000_000
#: Taille à partir de laquelle les valeurs sont comptées (les petites trames sont sans risque).
VALUE_CHECK_BYTES = 256 * 1024
#: Octets tolérés au-delà de `max_bytes` (en-têtes, trames de progression).
READ_SLACK_BYTES = 64 * 1024


class SandboxError(Exception):
    """Échec de l'évaluation côté bac à sable (message français) ; `kind` pour l'interface."""

    kind = "crash"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SandboxUnavailable(SandboxError):
    kind = "unavailable"


class SandboxTimeout(SandboxError):
    kind = "timeout"


class SandboxCrashed(SandboxError):
    kind = "crash"


class SandboxProtocolError(SandboxError):
    kind = "crash"


def describe_status(status: int | None) -> str:
    """Texte français pour un statut `waitpid` brut (ou None si inconnu)."""
    if status is None:
        return "arrêt inexpliqué du processus modèle"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        if sig == signal.SIGXCPU:
            return f"tué par {name} — limite de temps CPU atteinte"
        if sig == signal.SIGSYS:
            return f"tué par {name} — appel système interdit"
        hint = " — mémoire épuisée ?" if sig == signal.SIGKILL else ""
        return f"tué par {name}{hint}"
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    if code == EXIT_CONFINEMENT:
        return "confinement impossible"
    if code == EXIT_PROTOCOL:
        return "requête illisible ou processus modèle arrêté"
    return f"code de sortie {code}"


@dataclass
class ChildExit:
    """Compte rendu du modèle sur un enfant terminé."""

    status: int | None
    cpu_s: float = 0.0
    maxrss_kb: int = 0
    error: str | None = None  # fork impossible, modèle mort


class Child:
    """Un enfant (une évaluation) : ses deux tubes côté parent, son pid, sa fin."""

    def __init__(self, sandbox: Sandbox, job_id: int, stdin_fd: int, reply_fd: int,
                 limits: Limits) -> None:
        self.sandbox = sandbox
        self.id = job_id
        self.stdin_fd = stdin_fd
        self.reply_fd = reply_fd
        self.limits = limits
        self.pid: int | None = None
        self.zygote: threading.Event | None = None  # génération du modèle qui l'a créé
        self.fork_ms: float | None = None
        self.exit: ChildExit | None = None
        self._exited = threading.Event()
        self._spawned = threading.Event()

    def _set_exit(self, exit_: ChildExit) -> None:
        self.exit = exit_
        self._spawned.set()
        self._exited.set()

    def wait_exit(self, timeout: float) -> ChildExit | None:
        self._exited.wait(timeout)
        return self.exit

    def wait_spawned(self, timeout: float) -> int | None:
        self._spawned.wait(timeout)
        return self.pid

    def kill(self) -> None:
        """SIGKILL (par le modèle, seul à pouvoir le faire sans risque de pid réutilisé)."""
        if not self._exited.is_set():
            self.sandbox._send({"op": "kill", "id": self.id})

    def close(self) -> None:
        for name in ("stdin_fd", "reply_fd"):
            fd = getattr(self, name)
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, name, None)

    def failure(self, limits: Limits) -> SandboxError:
        """L'enfant s'est arrêté sans réponse complète : pourquoi, en français."""
        exit_ = self.wait_exit(2.0)
        if exit_ is not None and exit_.error:
            return SandboxUnavailable(f"Le bac à sable n'a pas pu lancer l'évaluation : {exit_.error}")
        status = exit_.status if exit_ is not None else None
        if status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL \
                and exit_ is not None and exit_.cpu_s >= max(1.0, limits.cpu_s):
            return SandboxTimeout(f"Limite de temps CPU atteinte ({limits.cpu_s:g} s) : processus "
                                  "arrêté")
        return SandboxCrashed(f"Le processus de la stratégie s'est arrêté brutalement "
                              f"({describe_status(status)})")



def write_request(child: Child, parts: Sequence[bytes | memoryview], deadline: float) -> None:
    """Écrit la requête (`frames.request_parts` ; l'enfant la lit après s'être confiné) ;
    abandonne si l'enfant meurt."""
    fd = child.stdin_fd
    assert fd is not None
    os.set_blocking(fd, False)
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    try:
        for part in parts:
            if not _write_part(child, fd, poller, memoryview(part).cast("B"), deadline):
                return
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
        child.stdin_fd = None


def _write_part(child: Child, fd: int, poller: select.poll, view: memoryview, deadline: float) -> bool:
    """Un morceau de la requête ; False si l'enfant est mort (la lecture de la réponse le dira)."""
    while view:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            child.kill()
            raise SandboxTimeout("L'enfant du bac à sable ne lit pas sa requête : arrêté")
        if not poller.poll(min(remaining, 0.5) * 1000):
            if child.exit is not None:
                return False
            continue
        try:
            view = view[os.write(fd, view):]
        except BlockingIOError:
            continue
        except (BrokenPipeError, OSError):
            return False
    return True


class ReplyReader:
    """Lit les trames d'un enfant jusqu'à son message final (`result` ou `error`)."""

    def __init__(self, child: Child, *, deadline: float, max_bytes: int,
                 on_frame: Callable[[dict[str, Any]], None] | None) -> None:
        assert child.reply_fd is not None
        self.child = child
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.on_frame = on_frame
        self.poller = select.poll()
        self.poller.register(child.reply_fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        self.buf = bytearray()
        self.total = 0
        self.progress = 0
        self.started = time.monotonic()

    def read(self) -> dict[str, Any]:
        """Le message final ; chaque abus tue l'enfant (`SandboxError`)."""
        while True:
            while (payload := self._next_payload()) is not None:
                message = self._decode(payload)
                if message["type"] in ("result", "error"):
                    return message
                self._progress(message, len(payload))
            self._receive()

    def _abuse(self, text: str) -> SandboxProtocolError:
        self.child.kill()
        return SandboxProtocolError(f"Réponse refusée : {text} — processus arrêté")

    def _next_payload(self) -> bytes | None:
        """La prochaine trame complète déjà reçue (taille vérifiée), sinon None."""
        if len(self.buf) < HEADER.size:
            return None
        (size,) = HEADER.unpack_from(self.buf)
        if size > self.max_bytes:
            raise self._abuse(f"trame de {size} octets (limite {self.max_bytes})")
        if len(self.buf) < HEADER.size + size:
            return None
        payload = bytes(self.buf[HEADER.size:HEADER.size + size])
        del self.buf[:HEADER.size + size]
        return payload

    def _decode(self, payload: bytes) -> dict[str, Any]:
        size = len(payload)
        if size > VALUE_CHECK_BYTES:
            values = sum(payload.count(token) for token in (b",", b":", b"{", b"["))
            budget = min(MAX_VALUES, self.max_bytes // 8)
            if values > budget:
                raise self._abuse(f"{values} valeurs JSON dans {size} octets (au plus {budget}, "
                                  "pour la mémoire du serveur)")
        try:
            return decode(payload)
        except FrameError as exc:
            raise self._abuse(str(exc)) from None

    def _progress(self, message: dict[str, Any], size: int) -> None:
        if message["type"] != "progress" or size > PROGRESS_FRAME_BYTES:
            raise self._abuse("trame intermédiaire inattendue")
        self.progress += 1
        if self.progress > PROGRESS_BURST + PROGRESS_PER_SECOND * (time.monotonic() - self.started):
            raise self._abuse("trop de messages de progression")
        if self.on_frame is not None:
            self.on_frame(message)

    def _receive(self) -> None:
        """Attend et lit la suite (délai, canal fermé, mort de l'enfant, volume total)."""
        child = self.child
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            child.kill()
            raise SandboxTimeout(f"Délai dépassé : pas de réponse en {child.limits.wall_s:g} s "
                                 "(boucle infinie ?) — processus arrêté")
        if not self.poller.poll(min(remaining, 1.0) * 1000):
            return
        try:
            chunk = os.read(child.reply_fd, 1 << 20)  # type: ignore[arg-type]
        except OSError:
            chunk = b""
        if not chunk:
            if child.wait_exit(0.5) is None:  # canal fermé mais processus vivant : il est tué
                child.kill()
                child.wait_exit(2.0)
                raise SandboxProtocolError("La stratégie a fermé son canal de réponse sans répondre "
                                           "— processus arrêté")
            raise child.failure(child.limits)
        self.total += len(chunk)
        if self.total > self.max_bytes + READ_SLACK_BYTES:
            raise self._abuse(f"plus de {self.max_bytes} octets envoyés")
        self.buf += chunk
