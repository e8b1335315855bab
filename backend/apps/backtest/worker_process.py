"""Le worker de backtest vu du parent (asyncio) : lancement, requête, progression, arrêt.

Un processus par backtest (jamais réutilisé : le code d'un utilisateur ne partage pas
d'interpréteur avec le backtest suivant), lancé comme les workers du runtime des stratégies
(`python -I`, environnement en liste blanche `clean_env`, nouvelle session). Pour ne pas payer
~1 s d'imports (pandas, pandas-ta) à chaque lancement, un worker « de réserve » est démarré à
l'avance : il a fait ses imports mais n'a jamais exécuté de code utilisateur.
Annuler la coroutine `run()` tue le processus (SIGKILL) : arrêt immédiat, même si la stratégie
est dans une boucle infinie.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from apps.backtest.engine import BacktestError
from apps.strategies.runtime.process import BACKEND_DIR, clean_env, describe_exit
from apps.strategies.runtime.worker import HEADER

BOOTSTRAP = (
    "import sys; sys.path.insert(0, {path!r}); "
    "from apps.backtest.worker import main; main()"
)
#: Taille maximale d'une trame venant du worker (résultat avec des dizaines de milliers de trades).
MAX_FRAME_BYTES = 512 * 1024 * 1024
READY_TIMEOUT = 60.0

_spare_lock = threading.Lock()
_spare: subprocess.Popen[bytes] | None = None


def _spawn(memory_mb: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-I", "-B", "-c", BOOTSTRAP.format(path=str(BACKEND_DIR)),
           "--memory-mb", str(memory_mb)]
    try:
        return subprocess.Popen(  # noqa: S603 (commande fixe)
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=clean_env(),
            cwd=str(BACKEND_DIR), close_fds=True, start_new_session=True, bufsize=0,
        )
    except OSError as exc:
        raise BacktestError(f"Impossible de lancer le worker de backtest : {exc}") from exc


def worker_take(*, memory_mb: int, keep_spare: bool = True) -> subprocess.Popen[bytes]:
    """Un processus worker neuf (la réserve s'il y en a une vivante) ; relance une réserve."""
    global _spare
    with _spare_lock:
        proc, _spare = _spare, None
        if proc is not None and proc.poll() is not None:
            proc = None
        if proc is None:
            proc = _spawn(memory_mb)
        if keep_spare:
            _spare = _spawn(memory_mb)
    return proc


def spare_stop() -> None:
    """Tue le worker de réserve (sortie du processus, tests)."""
    global _spare
    with _spare_lock:
        proc, _spare = _spare, None
    if proc is not None:
        _kill(proc)


atexit.register(spare_stop)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


class BacktestWorker:
    """Un processus worker : `await run(requête, on_progress)` une seule fois, puis `close()`."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.ready: dict[str, Any] = {}
        self._reader: asyncio.StreamReader | None = None
        self._transport: asyncio.BaseTransport | None = None
        self._writer: asyncio.Future[None] | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def _frame(self) -> dict[str, Any]:
        assert self._reader is not None
        try:
            header = await self._reader.readexactly(HEADER.size)
            (size,) = HEADER.unpack(header)
            if size > MAX_FRAME_BYTES:
                raise BacktestError(f"Réponse du worker trop volumineuse ({size} octets)")
            payload = await self._reader.readexactly(size)
        except asyncio.IncompleteReadError:
            code = await asyncio.to_thread(self._reap)
            raise BacktestError(f"Le worker de backtest s'est arrêté ({describe_exit(code)})") from None
        try:
            return json.loads(payload)
        except ValueError as exc:
            raise BacktestError(f"Réponse illisible du worker : {exc}") from None

    def _reap(self) -> int | None:
        try:
            return self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _kill(self.proc)
            return self.proc.returncode

    def _write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(HEADER.pack(len(data)) + data)
            self.proc.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass  # le worker est mort : la lecture le signalera

    async def run(self, request: dict[str, Any], on_progress: Callable[[float], Any]) -> dict[str, Any]:
        """Envoie la requête, relaie la progression, renvoie `output` ; `BacktestError` sinon."""
        loop = asyncio.get_running_loop()
        self._reader = asyncio.StreamReader(limit=2**20)
        self._transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(self._reader), self.proc.stdout)
        async with asyncio.timeout(READY_TIMEOUT):
            self.ready = await self._frame()
        payload = pickle.dumps(request, protocol=5)
        # Écriture dans un thread (plusieurs Mo) pendant qu'on lit ; `_write` n'échoue jamais.
        self._writer = asyncio.ensure_future(asyncio.to_thread(self._write, payload))
        while True:
            message = await self._frame()
            kind = message.get("type")
            if kind == "progress":
                on_progress(float(message.get("progress") or 0.0))
            elif kind == "result":
                return message["output"]
            elif kind == "error":
                raise BacktestError(message.get("message") or "Erreur du backtest",
                                    extra={"line": message.get("line")})

    async def close(self) -> None:
        """Tue le processus s'il vit encore et libère les tubes (appelé dans tous les cas)."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        if self._transport is not None:
            self._transport.close()
        await asyncio.to_thread(_kill, self.proc)

    def kill_now(self) -> None:
        """SIGKILL immédiat (synchrone) : annulation."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
