"""Simulateur d'échange compatible Binance spot (REST + WebSocket), sans dépendance à Django.

Point d'entrée : :class:`ExchangeSimulator`. Aides de test : :mod:`exchange_simulator.testing`.
Documentation : ``docs/exchange-simulator.md``.
"""

from .accounts import DEMO_API_KEY, DEMO_API_SECRET, DEMO_BALANCES
from .server import ExchangeSimulator
from .symbols import DEFAULT_SYMBOLS, SymbolSpec

__all__ = [
    "DEFAULT_SYMBOLS",
    "DEMO_API_KEY",
    "DEMO_API_SECRET",
    "DEMO_BALANCES",
    "ExchangeSimulator",
    "SymbolSpec",
]
