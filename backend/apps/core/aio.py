"""Petits outils asyncio sûrs face à l'annulation.

En Python 3.11, ``asyncio.wait_for`` peut transformer une annulation arrivée en même temps que
l'échéance en ``TimeoutError`` : une boucle qui ignore ce ``TimeoutError`` ne s'arrête alors jamais.
``asyncio.timeout`` (3.11+) distingue correctement les deux cas : on l'utilise partout.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def wait_event(event: asyncio.Event, timeout: float | None) -> bool:
    """Attend ``event`` au plus ``timeout`` secondes ; False si le délai est écoulé."""
    if timeout is None:
        await event.wait()
        return True
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        return False
    return True


async def with_timeout(awaitable: Awaitable[T], timeout: float) -> T:
    """``await`` borné dans le temps (lève ``TimeoutError``), sans avaler d'annulation."""
    async with asyncio.timeout(timeout):
        return await awaitable


async def poll_until(stop: asyncio.Event, *, interval_s: float, work: Callable[[], Awaitable[Any]],
                     log: logging.Logger, failure: str) -> None:
    """Appelle ``work()`` puis attend ``interval_s`` secondes (ou ``stop``), jusqu'à ``stop``.

    Un passage en échec est journalisé (``failure``, avec la trace) et retenté au suivant : une
    base ou un exchange indisponible un moment ne tue pas la boucle ; l'annulation passe.
    """
    while not stop.is_set():
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 — retenté au prochain passage
            log.exception(failure)
        await wait_event(stop, interval_s)
