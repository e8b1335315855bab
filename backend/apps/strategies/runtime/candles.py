"""Conversion des bougies (côté parent) en tableaux numpy envoyés à l'enfant du bac à sable.

L'enfant reconstruit un DataFrame `open, high, low, close, volume` (float64) indexé en UTC.
Formats acceptés :
- un `pandas.DataFrame` avec ces colonnes, indexé par dates (naïves = UTC) ou avec une colonne
  `timestamp` / `open_time` ;
- une liste de lignes CCXT `[timestamp_ms, open, high, low, close, volume]` ;
- une liste de dicts `{"timestamp" | "open_time": ms ou datetime, "open" | "open_price": …}`
  (les lignes `Candle` converties en dicts conviennent, Decimal compris).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

COLUMNS = ("open", "high", "low", "close", "volume")
TIME_KEYS = ("timestamp", "open_time", "time", "date")


class CandlesError(ValueError):
    """Bougies dans un format non reconnu (message en français)."""


def _to_ns(values: Sequence[Any]) -> np.ndarray:
    """Horodatages → int64 nanosecondes UTC (entiers = millisecondes, convention CCXT)."""
    if len(values) and isinstance(values[0], datetime):
        out = np.empty(len(values), dtype=np.int64)
        for i, moment in enumerate(values):
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
            out[i] = (delta.days * 86_400 + delta.seconds) * 10**9 + delta.microseconds * 1000
        return out
    return np.asarray(values, dtype=np.int64) * 1_000_000


def _from_frame(frame: Any) -> dict[str, np.ndarray]:
    import pandas as pd

    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise CandlesError(f"Colonnes manquantes dans les bougies : {', '.join(missing)}")
    if isinstance(frame.index, pd.DatetimeIndex):
        index = frame.index
    else:
        key = next((k for k in TIME_KEYS if k in frame.columns), None)
        if key is None:
            raise CandlesError("Les bougies doivent être indexées par date (ou avoir « timestamp »)")
        column = frame[key]
        unit = "ms" if np.issubdtype(column.dtype, np.number) else None
        index = pd.DatetimeIndex(pd.to_datetime(column, unit=unit, utc=True))
    index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
    arrays = {"timestamp": index.asi8.astype(np.int64, copy=False)}
    for name in COLUMNS:
        arrays[name] = frame[name].to_numpy(dtype=np.float64)
    return arrays


def _from_rows(rows: Sequence[Any]) -> dict[str, np.ndarray]:
    first = rows[0]
    if isinstance(first, Mapping):
        key = next((k for k in TIME_KEYS if k in first), None)
        if key is None:
            raise CandlesError("Chaque bougie doit avoir « timestamp » ou « open_time »")
        arrays = {"timestamp": _to_ns([row[key] for row in rows])}
        for name in COLUMNS:
            field = name if name in first else f"{name}_price"
            if field not in first:
                raise CandlesError(f"Champ « {name} » manquant dans les bougies")
            arrays[name] = np.asarray([row[field] for row in rows], dtype=np.float64)
        return arrays
    table = np.asarray(rows, dtype=object)
    if table.ndim != 2 or table.shape[1] < 6:
        raise CandlesError("Bougies CCXT attendues : [timestamp_ms, open, high, low, close, volume]")
    arrays = {"timestamp": _to_ns(list(table[:, 0]))}
    for i, name in enumerate(COLUMNS, start=1):
        arrays[name] = table[:, i].astype(np.float64)
    return arrays


def candles_to_arrays(candles: Any) -> dict[str, np.ndarray] | None:
    """Bougies (DataFrame, lignes CCXT ou dicts) → tableaux numpy ; None → bougies d'exemple."""
    if candles is None:
        return None
    if hasattr(candles, "columns") and hasattr(candles, "index"):
        return _from_frame(candles)
    if isinstance(candles, Mapping) and "timestamp" in candles:
        arrays = {"timestamp": np.asarray(candles["timestamp"], dtype=np.int64)}
        arrays.update({n: np.asarray(candles[n], dtype=np.float64) for n in COLUMNS})
        return arrays  # déjà au format interne (timestamp en ns)
    if isinstance(candles, Sequence) and not isinstance(candles, str | bytes):
        if not candles:
            return {name: np.empty(0, dtype=np.float64) for name in COLUMNS} | {
                "timestamp": np.empty(0, dtype=np.int64)}
        return _from_rows(candles)
    raise CandlesError(f"Format de bougies non reconnu : {type(candles).__name__}")
