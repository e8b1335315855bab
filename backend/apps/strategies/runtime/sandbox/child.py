"""Ce que fait un enfant du processus modèle, de son `fork()` à sa sortie (jamais de retour).

Descripteurs après préparation : 0 = requête (tube, lecture), 1 et 2 = /dev/null (rien de ce
que l'enfant écrit n'atteint les journaux), 3 = réponses (tube, écriture), 4 = jeu de règles
Landlock (fermé après usage). Tous les autres sont fermés avant le confinement.

Ensuite : confinement (`confine.py`), lecture de la requête, minuterie murale (SIGALRM →
`StrategyTimeout`) et CPU (SIGXCPU → `CpuLimitExceeded`), appel du gestionnaire, réponse finale,
`os._exit`. Un enfant ne sert qu'une fois : rien ne survit d'une évaluation à l'autre.
"""

from __future__ import annotations

import io
import os
import pickle
import signal
import struct
import time
from collections.abc import Callable
from typing import Any, NoReturn

from apps.strategies.runtime.sandbox.confine import (
    PR_SET_PDEATHSIG,
    Confinement,
    ConfinementError,
    Limits,
    prctl,
)
from apps.strategies.runtime.sandbox.frames import (
    HEADER,
    MAX_BUFFERS,
    CpuLimitExceeded,
    StrategyTimeout,
    encode,
)

REQUEST_FD, REPLY_FD, RULESET_FD = 0, 3, 4
#: Codes de sortie propres au bac à sable (le parent les traduit).
EXIT_CONFINEMENT = 70
EXIT_PROTOCOL = 71

Handler = Callable[[dict[str, Any], "Channel", Limits], dict[str, Any]]
_SIGNALS = {signal.SIGALRM, signal.SIGXCPU}


class Channel:
    """Trames JSON vers le parent ; les minuteries ne coupent jamais une trame en deux."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, message: dict[str, Any]) -> None:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)  # encodage compris
        try:
            data = memoryview(encode(message))
            while data:
                data = data[os.write(self.fd, data):]
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _on_alarm(signum: int, frame: Any) -> None:
    raise StrategyTimeout


def _on_cpu(signum: int, frame: Any) -> None:
    raise CpuLimitExceeded


def _read_into(fd: int, size: int) -> bytearray:
    """`size` octets lus directement dans un tampon modifiable (tableaux numpy sans copie)."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    with io.FileIO(fd, closefd=False) as stream:
        while view:
            count = stream.readinto(view)
            if not count:
                raise EOFError
            view = view[count:]
    return buffer


def read_request(fd: int) -> dict[str, Any]:
    """La requête du parent (`frames.request_parts`) : pickle et tampons hors bande."""
    (size,) = HEADER.unpack(_read_exactly(fd, HEADER.size))
    payload = _read_exactly(fd, size)
    (count,) = HEADER.unpack(_read_exactly(fd, HEADER.size))
    if count > MAX_BUFFERS:
        raise EOFError
    sizes = struct.unpack(f"!{count}Q", _read_exactly(fd, HEADER.size * count))
    # Un seul tampon pour tous : les colonnes de bougies envoyées à la suite y restent contiguës
    # (`decide.build_frame` en fait un bloc pandas sans copie).
    whole = memoryview(_read_into(fd, sum(sizes)))
    offsets = [0]
    for length in sizes:
        offsets.append(offsets[-1] + length)
    buffers = [whole[start:end] for start, end in zip(offsets, offsets[1:], strict=False)]
    return pickle.loads(payload, buffers=buffers)  # noqa: S301 (vient du parent)


def _read_exactly(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _arrange_fds(request_fd: int, reply_fd: int, ruleset_fd: int | None) -> None:
    """Place les descripteurs utiles en 0–4 et ferme tous les autres.

    /dev/null est ouvert à neuf : un descripteur hérité du modèle partagerait ses drapeaux
    (O_APPEND, O_NONBLOCK…) avec tous les enfants suivants — un canal entre évaluations.
    """
    import fcntl

    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) if fd is not None else None
            for fd in (request_fd, reply_fd, ruleset_fd)]
    request, reply, ruleset = high
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(request, REQUEST_FD)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.dup2(reply, REPLY_FD)
    if ruleset is not None:
        os.dup2(ruleset, RULESET_FD)
        os.closerange(RULESET_FD + 1, os.sysconf("SC_OPEN_MAX"))
    else:
        os.closerange(REPLY_FD + 1, os.sysconf("SC_OPEN_MAX"))


def child_main(*, confinement: Confinement, handler: Handler, limits: Limits, request_fd: int,
               reply_fd: int, zygote_pid: int) -> NoReturn:
    """Corps de l'enfant : ne revient jamais (`os._exit`)."""
    try:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        if confinement.linux:
            prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != zygote_pid:  # modèle mort entre fork et prctl
            os._exit(EXIT_PROTOCOL)
        os.setsid()
        ruleset_fd = confinement.ruleset.fd if confinement.ruleset is not None else None
        _arrange_fds(request_fd, reply_fd, ruleset_fd)
    except BaseException:  # noqa: BLE001 (aucun code utilisateur n'a encore tourné)
        os._exit(EXIT_PROTOCOL)
    channel = Channel(REPLY_FD)
    try:
        confinement.apply(limits, ruleset_fd=RULESET_FD if ruleset_fd is not None else None)
        if ruleset_fd is not None:
            os.close(RULESET_FD)
    except ConfinementError as exc:
        _final(channel, {"type": "error", "kind": "unavailable",
                         "message": f"Le bac à sable n'a pas pu confiner la stratégie ({exc}) : "
                                    "exécution refusée"}, EXIT_CONFINEMENT)
    _serve(channel, handler, limits)


def _serve(channel: Channel, handler: Handler, limits: Limits) -> NoReturn:
    started = time.perf_counter()
    try:
        request = read_request(REQUEST_FD)
    except BaseException:  # noqa: BLE001 (parent parti, requête tronquée)
        os._exit(EXIT_PROTOCOL)
    _reseed()
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGXCPU, _on_cpu)
    try:
        try:
            if limits.wall_s > 0:
                signal.setitimer(signal.ITIMER_REAL, limits.wall_s)
            message = {"type": "result", **handler(request, channel, limits)}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            # Plus aucun signal de limite jusqu'à la sortie : un SIGXCPU arrivé pendant l'encodage
            # du message final le remplaçait par « impossible à encoder » (limite CPU = limite
            # murale : les deux tombent ensemble sur une boucle infinie).
            signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    except StrategyTimeout:
        message = {"type": "error", "kind": "timeout",
                   "message": f"Limite de temps atteinte ({limits.wall_s:g} s)"}
    except CpuLimitExceeded:
        message = {"type": "error", "kind": "timeout",
                   "message": f"Limite de temps CPU atteinte ({limits.cpu_s:g} s)"}
    except MemoryError:
        message = {"type": "error", "kind": "memory",
                   "message": f"Mémoire insuffisante (limite : {limits.memory_mb} Mo)"}
    except BaseException as exc:  # noqa: BLE001 (code utilisateur ou gestionnaire)
        message = {"type": "error", "kind": "runtime", "message": f"Erreur : {_describe(exc)}"}
    message.setdefault("child_ms", (time.perf_counter() - started) * 1000)
    _final(channel, message, 0)


def _describe(exc: BaseException) -> str:
    try:
        return f"{type(exc).__name__}: {str(exc)[:500]}"
    except BaseException:  # noqa: BLE001 (__str__ de l'utilisateur qui lève)
        return type(exc).__name__


def _reseed() -> None:
    """Chaque enfant hérite de l'état aléatoire du modèle : numpy est réinitialisé (`random` l'est
    déjà par Python après un fork)."""
    import sys

    numpy = sys.modules.get("numpy")
    if numpy is not None:
        try:
            numpy.random.seed()
        except Exception:  # noqa: BLE001
            pass


def _final(channel: Channel, message: dict[str, Any], code: int) -> NoReturn:
    try:
        channel.send(message)
    except BaseException:  # noqa: BLE001 (parent parti, message non sérialisable)
        try:
            channel.send({"type": "error", "kind": "runtime",
                          "message": "Réponse de la stratégie impossible à encoder"})
        except BaseException:  # noqa: BLE001
            os._exit(EXIT_PROTOCOL)
    os._exit(code)
