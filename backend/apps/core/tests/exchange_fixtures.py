"""Fixtures des tests d'exchange : simulateur Binance en processus, vrai CCXT sur le loopback.

Deux façons de faire tourner le simulateur :
- `sim` (tests asynchrones) : dans la boucle du test ; les services y sont appelés directement.
- `threaded_sim` (tests synchrones / API) : dans un thread avec sa propre boucle, pendant que les
  vues exécutent CCXT sur la boucle dédiée du processus (`exchange_loop`), comme sous Daphne.

Les deux pointent `ARISTOBOT_BINANCE_REST_URL` sur le simulateur et ferment les instances CCXT à la
fin. Importer les fixtures dans le module de test (`from … import sim  # noqa: F401`).
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any

import pytest
from exchange_simulator import DEMO_API_KEY, DEMO_API_SECRET, ExchangeSimulator
from exchange_simulator.testing import running_simulator

CCXT_TEST_TIMEOUT_MS = 3_000


class ThreadedSimulator:
    """`ExchangeSimulator` servi depuis un thread d'arrière-plan (pour les tests synchrones)."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sim-thread", daemon=True)
        self.sim: ExchangeSimulator

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Appelle `fn` dans le thread du simulateur (son état n'est pas thread-safe)."""

        async def _call() -> Any:
            return fn(*args, **kwargs)

        return self.run(_call())

    def start(self) -> ThreadedSimulator:
        self.thread.start()

        async def _start() -> ExchangeSimulator:
            sim = ExchangeSimulator(host="127.0.0.1", port=0, **self.kwargs)
            await sim.start()
            return sim

        self.sim = self.run(_start())
        return self

    def stop(self) -> None:
        self.run(self.sim.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    @property
    def base_url(self) -> str:
        return self.sim.base_url

    def admin(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        """POST sur l'API d'administration `/sim/<path>`."""
        request = urllib.request.Request(
            f"{self.base_url}/sim/{path}",
            data=json.dumps(payload or {}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def requests_reset(self) -> dict[str, int]:
        """Requêtes REST reçues par endpoint depuis la dernière remise à zéro, puis remise à zéro."""
        return self.call(self.sim.requests_reset)["by_endpoint"]

    def orders_of(self, api_key: str) -> list[Any]:
        return self.call(lambda: [o for o in self.sim.engine.orders.values() if o.api_key == api_key])


def _point_settings_at(settings: Any, base_url: str) -> None:
    settings.ARISTOBOT_BINANCE_REST_URL = base_url
    settings.ARISTOBOT_CCXT_TIMEOUT_MS = CCXT_TEST_TIMEOUT_MS


@pytest.fixture(autouse=True)
async def exchange_cleanup() -> AsyncIterator[None]:
    """Après chaque test : instances CCXT de la boucle du test et connexions ORM des threads fermées.

    (Autouse dans les modules qui l'importent.) Sans cela, une connexion ouverte par l'exécuteur
    d'asgiref empêcherait pytest-django de supprimer la base de test.
    """
    from asgiref.sync import sync_to_async
    from django.db import connections

    from apps.core.services.ccxt_manager import close_all

    yield
    await close_all()
    await sync_to_async(connections.close_all)()


@pytest.fixture
async def sim(settings: Any) -> AsyncIterator[ExchangeSimulator]:
    """Simulateur dans la boucle du test ; instances CCXT de cette boucle fermées à la fin."""
    from apps.core.services.ccxt_manager import close_all

    async with running_simulator(seed=7) as simulator:
        _point_settings_at(settings, simulator.base_url)
        try:
            yield simulator
        finally:
            await close_all()


@pytest.fixture
def threaded_sim(settings: Any) -> Iterator[ThreadedSimulator]:
    """Simulateur dans un thread ; instances de la boucle dédiée du processus fermées à la fin."""
    from apps.core.services.ccxt_manager import close_all
    from apps.core.services.exchange_loop import exchange_loop_run

    simulator = ThreadedSimulator(seed=7).start()
    _point_settings_at(settings, simulator.base_url)
    try:
        yield simulator
    finally:
        exchange_loop_run(close_all())
        simulator.stop()


@pytest.fixture
def make_broker(make_user: Any) -> Callable[..., Any]:
    """Fabrique de brokers Binance (clés du compte de démonstration du simulateur par défaut)."""
    from apps.brokers.services import broker_create

    counter = {"n": 0}

    def _make(user: Any = None, **fields: Any) -> Any:
        counter["n"] += 1
        values = {
            "name": f"Binance {counter['n']}",
            "exchange": "binance",
            "api_key": DEMO_API_KEY,
            "api_secret": DEMO_API_SECRET,
            "is_testnet": False,
            **fields,
        }
        return broker_create(user=user or make_user(), **values)

    return _make
