"""Fabriques partagées des tests du heartbeat : bougies 1m et messages au format Binance."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

MINUTE = 60_000
# 2026-01-05 00:00:00 UTC : frontière de 4 h (et de jour).
T0 = 1_767_571_200_000


def kline_payload(
    symbol: str, open_time: int, *, closed: bool = True, seed: int | None = None,
    price: float | None = None,
) -> dict[str, Any]:
    """Événement ``kline`` Binance (prix en chaînes, ``T = t + 59999``)."""
    rng = random.Random(seed if seed is not None else open_time)
    base = price if price is not None else 40_000 + (open_time // MINUTE % 997) * 3.7
    o = base + rng.uniform(-20, 20)
    c = base + rng.uniform(-20, 20)
    h = max(o, c) + rng.uniform(0, 15)
    low = min(o, c) - rng.uniform(0, 15)
    v = rng.uniform(0.1, 50)
    return {
        "e": "kline",
        "E": open_time + (MINUTE if closed else 30_000),
        "s": symbol,
        "k": {
            "t": open_time, "T": open_time + MINUTE - 1, "s": symbol, "i": "1m",
            "f": 1, "L": 2, "o": f"{o:.2f}", "c": f"{c:.2f}", "h": f"{h:.2f}",
            "l": f"{low:.2f}", "v": f"{v:.5f}", "n": rng.randint(1, 500), "x": closed,
            "q": f"{v * base:.4f}", "V": "0", "Q": "0", "B": "0",
        },
    }


def combined(payload: dict[str, Any]) -> dict[str, Any]:
    """Enveloppe du flux combiné ``/stream?streams=…``."""
    symbol = payload.get("s", "BTCUSDT").lower()
    return {"stream": f"{symbol}@kline_1m", "data": payload}


def kline_messages(
    symbol: str, start: int, minutes: int, *, skip: set[int] | None = None, with_open: bool = False
) -> list[str]:
    """Messages JSON du flux combiné pour ``minutes`` minutes (``skip`` : indices absents)."""
    out = []
    for i in range(minutes):
        if skip and i in skip:
            continue
        t = start + i * MINUTE
        if with_open:
            out.append(json.dumps(combined(kline_payload(symbol, t, closed=False))))
        out.append(json.dumps(combined(kline_payload(symbol, t))))
    return out


def ohlcv_row(payload: dict[str, Any]) -> list[Any]:
    """Ligne CCXT ``[ms, o, h, l, c, v]`` (floats) équivalente à un événement kline."""
    k = payload["k"]
    return [k["t"], float(k["o"]), float(k["h"]), float(k["l"]), float(k["c"]), float(k["v"])]


def dec(value: str) -> Decimal:
    return Decimal(value)
