"""Fixtures des tests de stratégies : un bac à sable partagé, arrêté en fin de session."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from apps.strategies.runtime import validation
from apps.strategies.runtime.pool import StrategyPool

#: Délai court pour que les tests de boucle infinie restent rapides.
TEST_TIMEOUT = 1.0


def wait_idle(pool: StrategyPool, timeout: float = 30.0) -> None:
    """Attend que le processus modèle tourne et qu'aucun enfant ne soit en cours."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pool.sandbox.alive and not pool.pids:
            return
        pool.start()
        time.sleep(0.02)
    raise AssertionError("le bac à sable n'est pas revenu au repos")


# `pd.io.common.os` : une porte dérobée connue de la liste blanche d'imports, utilisée ici pour
# vérifier ce que le code utilisateur verrait en la contournant (le noyau le confine quand même).
BACKDOOR = "import pandas as pd\nos = pd.io.common.os\n"
SLOW_LOOP = "class Boucle(Strategy):\n    def should_long(self):\n        while True:\n" \
            "            pass\n"


def method(body: str, name: str = "should_long") -> str:
    lines = "".join(f"        {line}\n" for line in body.splitlines())
    return f"class S(Strategy):\n    def {name}(self):\n{lines}"


def frame(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    index = pd.date_range("2025-01-01", periods=n, freq="15min", tz="UTC")
    return pd.DataFrame({"open": close, "high": close * 1.01, "low": close * 0.99,
                         "close": close, "volume": 1.0}, index=index)


@pytest.fixture
def pool(strategy_pool: StrategyPool) -> StrategyPool:
    """Le pool partagé, au repos."""
    wait_idle(strategy_pool)
    return strategy_pool



@pytest.fixture(scope="session")
def strategy_pool() -> Iterator[StrategyPool]:
    pool = StrategyPool(size=2, memory_mb=1024, default_timeout=TEST_TIMEOUT)
    pool.start()
    yield pool
    pool.close()


@pytest.fixture
def sandbox_pool(strategy_pool: StrategyPool, monkeypatch: pytest.MonkeyPatch) -> StrategyPool:
    """Le pool partagé, utilisé aussi par la façade `validate_code` (donc par l'API)."""
    monkeypatch.setattr(validation, "_default_pool", strategy_pool)
    wait_idle(strategy_pool)
    return strategy_pool


@pytest.fixture
def fake_ai(settings) -> Iterator:  # noqa: ANN001
    """Un faux OpenRouter + Ollama sur la boucle locale ; OpenRouter y est redirigé."""
    from apps.strategies.tests.fake_ai_server import FakeAiServer

    with FakeAiServer() as server:
        settings.ARISTOBOT_OPENROUTER_URL = server.url
        yield server
