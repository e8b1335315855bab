"""Aides réutilisables par les tests et bancs d'essai : simulateur en processus + client CCXT.

Indépendant de ``conftest.py`` et de Django::

    async with running_simulator(seed=1, speed=60) as sim:
        exchange = make_ccxt_binance(sim.base_url, DEMO_API_KEY, DEMO_API_SECRET)
        try:
            await exchange.load_markets()
        finally:
            await exchange.close()
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from .accounts import DEMO_API_KEY, DEMO_API_SECRET
from .server import ExchangeSimulator

SPOT_API_KEYS = ("public", "private")


def free_port(host: str = "127.0.0.1") -> int:
    """Un port TCP libre sur ``host`` (il peut être repris entre-temps : préférer ``port=0``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def running_simulator(**kwargs: Any) -> AsyncIterator[ExchangeSimulator]:
    """Démarre un :class:`ExchangeSimulator` sur un port libre du loopback, l'arrête à la sortie.

    Les arguments nommés sont ceux du constructeur (``seed``, ``speed``, ``symbols``…).
    """
    kwargs.setdefault("host", "127.0.0.1")
    kwargs.setdefault("port", 0)
    sim = ExchangeSimulator(**kwargs)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


def point_ccxt_at(exchange: Any, base_url: str) -> None:
    """Redirige toutes les URL d'API d'une instance CCXT binance vers ``base_url``.

    Les clés spot (``public``, ``private``) visent ``<base>/api/v3`` ; les autres (sapi, fapi…)
    sont réécrites aussi, sur le loopback, pour qu'un appel égaré ne parte jamais sur Internet.
    """
    base = base_url.rstrip("/")
    api = exchange.urls["api"]
    for key, url in list(api.items()):
        if key in SPOT_API_KEYS:
            api[key] = f"{base}/api/v3"
        elif isinstance(url, str):
            path = url.split("://", 1)[-1].split("/", 1)
            api[key] = f"{base}/{path[1]}" if len(path) == 2 else base


def make_ccxt_binance(
    base_url: str,
    api_key: str = DEMO_API_KEY,
    secret: str = DEMO_API_SECRET,
    **options: Any,
) -> Any:
    """Instance ``ccxt.async_support.binance`` configurée pour le simulateur (spot uniquement).

    À fermer par l'appelant (``await exchange.close()``).
    """
    import ccxt.async_support as ccxt_async

    config: dict[str, Any] = {
        "apiKey": api_key,
        "secret": secret,
        "enableRateLimit": True,
        "options": {
            "defaultType": "spot",
            "fetchMarkets": {"types": ["spot"]},
            "fetchCurrencies": False,
            "fetchMargins": False,
            "warnOnFetchOpenOrdersWithoutSymbol": False,
            **options,
        },
    }
    exchange = ccxt_async.binance(config)
    point_ccxt_at(exchange, base_url)
    return exchange
