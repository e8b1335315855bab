"""Aides des tests du trading papier : brokers papier, endpoints publics du simulateur."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

#: Endpoints PUBLICS de l'API Binance servie par le simulateur ; tout autre est privé (signé).
PUBLIC_ENDPOINTS = frozenset(
    f"GET /api/v3/{path}"
    for path in ("ping", "time", "exchangeInfo", "klines", "uiKlines", "ticker/price", "ticker/bookTicker",
                 "ticker/24hr", "avgPrice", "depth")
)


def private_requests(counter: dict[str, int]) -> dict[str, int]:
    """Les requêtes du compteur du simulateur qui visent un endpoint privé (compte, ordres…)."""
    return {endpoint: n for endpoint, n in counter.items() if endpoint not in PUBLIC_ENDPOINTS}


@pytest.fixture
def make_paper_broker(make_broker: Callable[..., Any]) -> Callable[..., Any]:
    """Fabrique (synchrone) de brokers papier Binance, sans clés (10 000 USDT par défaut)."""

    def _make(user: Any = None, **fields: Any) -> Any:
        return make_broker(user=user, **{"api_key": "", "api_secret": "", "is_paper": True, **fields})

    return _make
