"""Fonctionnalités averties quand une tentative d'ordre est terminée (réglage `ARISTOBOT_TRADE_HOOKS`).

`order_place` (et la mise à jour d'un ordre relu sur l'exchange) appelle `trade_finalized(trade)`
une fois la ligne `trades` enregistrée — validée : le chemin des ordres écrit en autocommit. Un
crochet est une coroutine `hook(trade)` d'une app de fonctionnalité (notifications Telegram), que
l'app `trading` n'importe pas. Il est borné dans le temps et ne peut rien casser : une erreur est
journalisée, l'ordre est rendu tel quel à l'appelant.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

HOOK_TIMEOUT_S = 2.0


@functools.lru_cache(maxsize=8)
def _hooks(paths: tuple[str, ...]) -> tuple[Callable[[Any], Awaitable[None]], ...]:
    return tuple(import_string(path) for path in paths)


async def trade_finalized(trade: Any) -> None:
    """Appelle chaque crochet (au plus `HOOK_TIMEOUT_S` secondes chacun) ; ne lève jamais d'erreur."""
    try:
        hooks = _hooks(tuple(getattr(settings, "ARISTOBOT_TRADE_HOOKS", ())))
    except ImportError:
        logger.exception("ARISTOBOT_TRADE_HOOKS : crochet introuvable")
        return
    for hook in hooks:
        try:
            async with asyncio.timeout(HOOK_TIMEOUT_S):
                await hook(trade)
        except TimeoutError:
            logger.warning("Crochet %s trop lent après l'ordre %s : abandonné (l'ordre n'est pas affecté)",
                           getattr(hook, "__qualname__", hook), trade.client_order_id)
        except Exception:  # noqa: BLE001 — l'ordre est déjà enregistré : rien ne doit le casser
            logger.exception("Crochet %s en échec après l'ordre %s (l'ordre n'est pas affecté)",
                             getattr(hook, "__qualname__", hook), trade.client_order_id)
