"""Petits outils asyncio sûrs face à l'annulation.

En Python 3.11, ``asyncio.wait_for`` peut transformer une annulation arrivée en même temps que
l'échéance en ``TimeoutError`` : une boucle qui ignore ce ``TimeoutError`` ne s'arrête alors jamais.
``asyncio.timeout`` (3.11+) distingue correctement les deux cas : on l'utilise partout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

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
