"""Un seul chemin d'ordre : un seul module de l'application appelle `create_order` de CCXT."""

from __future__ import annotations

import re
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[3]


def test_exactly_one_application_module_sends_orders_to_ccxt() -> None:
    callers = []
    for path in BACKEND.rglob("*.py"):
        relative = path.relative_to(BACKEND)
        parts = relative.parts
        if "tests" in parts or parts[0] in ("exchange_simulator",) or "migrations" in parts:
            continue
        if re.search(r"\.create_order\(", path.read_text(encoding="utf-8")):
            callers.append(str(relative))
    assert callers == ["apps/trading/services/orders.py"], callers

