"""Boucle asyncio dédiée aux exchanges dans le processus web (Daphne).

Pourquoi : une instance `ccxt.async_support` (session aiohttp, limiteur de débit) ne doit servir que
sur la boucle qui l'a créée. Or les vues DRF sont synchrones : Daphne les exécute dans des threads,
et un `async_to_sync` par requête créerait une boucle éphémère (donc une instance CCXT par requête,
sans cache de marchés ni limiteur partagé). Choix retenu : UN thread d'arrière-plan, démarré à la
demande, fait tourner UNE boucle longue durée qui possède toutes les instances CCXT du processus.

- Code synchrone (vues) : `exchange_loop_run(coro)` soumet la coroutine à cette boucle et attend son
  résultat (le thread de la requête attend ; la boucle de Daphne n'est jamais bloquée).
- Tâche de fond (MAJ des paires) : `exchange_loop_submit(coro)` la lance sans attendre.
- Code asynchrone d'un autre loop (consommateurs Channels) : `await exchange_loop_call(coro)`.
- Les démons (`run_trading_engine`…) n'utilisent pas ce module : ils ont leur propre boucle et
  appellent directement les services asynchrones (le gestionnaire indexe les instances par boucle).

Chaque coroutine soumise démarre dans un contexte `contextvars` VIDE puis dans son propre
`ThreadSensitiveContext` : ses appels ORM (`sync_to_async`, ORM asynchrone de Django) passent par
un thread qui lui est propre. Sans cela, ils iraient vers le thread « thread-sensitive » de la
requête ou vers l'exécuteur mono-thread global d'asgiref — précisément le thread qui attend le
résultat : interblocage. La connexion PostgreSQL de ce thread est fermée à la fin du travail.
À l'arrêt du processus (`atexit`), les instances CCXT sont fermées proprement.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextvars
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.db import connections

from apps.core.exceptions import AristobotError

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TIMEOUT = 180.0  # secondes ; les délais CCXT bornent déjà chaque requête

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def _run_forever(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
    asyncio.set_event_loop(loop)
    ready.set()
    try:
        loop.run_forever()
    finally:
        loop.close()


def _ensure_loop() -> asyncio.AbstractEventLoop:
    global _loop, _thread
    with _lock:
        if _loop is None or _loop.is_closed() or _thread is None or not _thread.is_alive():
            loop = asyncio.new_event_loop()
            ready = threading.Event()
            thread = threading.Thread(
                target=_run_forever, args=(loop, ready), name="aristobot-exchange-loop", daemon=True
            )
            thread.start()
            ready.wait(5)
            _loop, _thread = loop, thread
        return _loop


def exchange_loop() -> asyncio.AbstractEventLoop:
    """La boucle dédiée (démarrée au besoin)."""
    return _ensure_loop()


def in_exchange_loop() -> bool:
    """Vrai si l'appelant s'exécute dans le thread de la boucle dédiée."""
    return _thread is not None and threading.get_ident() == _thread.ident


async def _job(coro: Coroutine[Any, Any, T]) -> T:
    """Un travail soumis : ses appels ORM ont leur propre thread, dont la connexion est fermée à la fin."""
    async with ThreadSensitiveContext():
        try:
            return await coro
        finally:
            await sync_to_async(connections.close_all)()


def exchange_loop_submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Lance `coro` sur la boucle dédiée, dans un contexte vide ; renvoie un `Future` thread-safe."""
    loop = _ensure_loop()
    return contextvars.Context().run(asyncio.run_coroutine_threadsafe, _job(coro), loop)


def exchange_loop_run(coro: Coroutine[Any, Any, T], *, timeout: float | None = DEFAULT_TIMEOUT) -> T:
    """Exécute `coro` sur la boucle dédiée et attend son résultat (depuis du code synchrone)."""
    if in_exchange_loop():
        coro.close()
        raise RuntimeError("exchange_loop_run appelé depuis la boucle dédiée : utilisez await")
    future = exchange_loop_submit(coro)
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        future.cancel()
        raise AristobotError(
            f"Opération sur l'exchange trop longue (plus de {timeout:.0f} s) : abandonnée.",
            status_code=504,
            code="exchange_timeout",
        ) from None


async def exchange_loop_call(coro: Coroutine[Any, Any, T]) -> T:
    """Depuis une autre boucle (consommateur Channels) : exécute `coro` sur la boucle dédiée."""
    if in_exchange_loop():
        return await coro
    return await asyncio.wrap_future(exchange_loop_submit(coro))


def exchange_loop_stop(timeout: float = 10.0) -> None:
    """Ferme les instances CCXT de la boucle dédiée puis l'arrête (appelé à la sortie du processus)."""
    global _loop, _thread
    with _lock:
        loop, thread = _loop, _thread
        _loop, _thread = None, None
    if loop is None or loop.is_closed() or thread is None or not thread.is_alive():
        return
    from apps.core.services.ccxt_manager import close_all

    try:
        contextvars.Context().run(asyncio.run_coroutine_threadsafe, close_all(), loop).result(timeout)
    except Exception:
        logger.warning("Fermeture des instances CCXT incomplète à l'arrêt", exc_info=True)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout)


atexit.register(exchange_loop_stop)
