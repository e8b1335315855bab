"""Trades simulés et données de marché préparées pour la boucle."""

from __future__ import annotations

import base64
import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

STOP_LOSS = "stop_loss"
TAKE_PROFIT = "take_profit"
SIGNAL = "signal"
END = "end"


def iso_utc(moment: pd.Timestamp | None) -> str | None:
    """Horodatage ISO 8601 UTC (`2025-01-01T00:15:00Z`)."""
    if moment is None:
        return None
    return moment.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Trade:
    """Un trade long : achat à la clôture, sortie par SL, TP, signal ou fin des données."""

    times: pd.DatetimeIndex = field(repr=False, compare=False)  # dates des bougies
    entry_index: int
    entry_price: float
    qty: float
    amount: float  # devise de cotation engagée, frais d'entrée compris
    entry_fee: float
    stop_loss: float | None  # niveau de prix (None = aucun)
    take_profit: float | None
    requested_amount: float  # ce qu'a renvoyé calculate_position_size()
    stop_loss_pct: float  # fraction renvoyée par calculate_stop_loss()
    take_profit_pct: float
    exit_index: int = -1
    exit_price: float = math.nan
    exit_fee: float = 0.0
    pnl: float = 0.0
    pnl_pct: float = 0.0
    exit_reason: str = ""
    balance_after: float = math.nan
    _entry_time: pd.Timestamp | None = field(default=None, repr=False, compare=False)

    @property
    def fee(self) -> float:
        return self.entry_fee + self.exit_fee

    @property
    def entry_time(self) -> pd.Timestamp:
        if self._entry_time is None:  # créé à la demande : une date pandas coûte ~3 µs
            self._entry_time = self.times[self.entry_index]
        return self._entry_time

    @property
    def exit_time(self) -> pd.Timestamp | None:
        return self.times[self.exit_index] if self.exit_index >= 0 else None

    def position_dict(self) -> dict[str, Any]:
        """La position telle que la voit la stratégie (`self.position`) : un dict neuf.

        Clés du moteur réel reprises (`side`, `entry_cost`, `stop_loss_price`,
        `take_profit_price`, `opened_at`) pour qu'une stratégie tourne pareil dans les deux.
        """
        entry_time = self.entry_time
        return {
            "entry_price": self.entry_price,
            "quantity": self.qty,
            "entry_time": entry_time,
            "stop_loss": self.stop_loss,
            "take_profit": self.take_profit,
            "side": "long",
            "entry_cost": self.amount,
            "stop_loss_price": self.stop_loss,
            "take_profit_price": self.take_profit,
            "opened_at": entry_time.isoformat(),
        }

    def close(self, index: int, price: float, reason: str, fee_rate: float, cash: float) -> float:
        """Clôture le trade ; renvoie la trésorerie après la vente (sans frais si `END`)."""
        gross = self.qty * price
        self.exit_fee = 0.0 if reason == END else gross * fee_rate
        proceeds = gross - self.exit_fee
        self.exit_index, self.exit_price = index, price
        self.exit_reason = reason
        self.pnl = proceeds - self.amount
        self.pnl_pct = self.pnl / self.amount * 100.0
        self.balance_after = cash + proceeds
        return self.balance_after

    def to_dict(self, times: bool = True) -> dict[str, Any]:
        """Forme JSON ; `times=False` : dates laissées à None (remplies par `trades_to_dicts`)."""
        return {
            "entry_time": iso_utc(self.entry_time) if times else None,
            "exit_time": iso_utc(self.exit_time) if times else None,
            "entry_price": self.entry_price,
            "exit_price": self.exit_price,
            "qty": self.qty,
            "amount": self.amount,
            "fee": self.fee,
            "entry_fee": self.entry_fee,
            "exit_fee": self.exit_fee,
            "pnl": self.pnl,
            "pnl_pct": self.pnl_pct,
            "exit_reason": self.exit_reason,
            "balance_after": self.balance_after,
            "stop_loss": self.stop_loss,
            "take_profit": self.take_profit,
            "entry_index": self.entry_index,
            "exit_index": self.exit_index,
        }


def iso_labels(times: pd.DatetimeIndex, indexes: np.ndarray) -> list[str]:
    """`iso_utc(times[i])` pour chaque i de `indexes`, vectorisé (même texte, à la seconde)."""
    return iso_from_ns(times.asi8[indexes])


def iso_from_ns(stamps: np.ndarray) -> list[str]:
    """Dates UTC en nanosecondes (int64) → `2025-01-01T00:15:00Z` (comme `iso_utc`)."""
    seconds = stamps.astype("datetime64[ns]").astype("datetime64[s]")
    return np.datetime_as_string(seconds, unit="s", timezone="UTC").tolist()


#: Clés de `Trade.to_dict()`, dans l'ordre.
TRADE_KEYS = ("entry_time", "exit_time", "entry_price", "exit_price", "qty", "amount", "fee",
              "entry_fee", "exit_fee", "pnl", "pnl_pct", "exit_reason", "balance_after",
              "stop_loss", "take_profit", "entry_index", "exit_index")


def trades_to_columns(trades: list[Trade]) -> dict[str, list[Any]]:
    """Les champs de `Trade.to_dict()`, une liste par clé (dates converties d'un coup)."""
    if not trades:
        return {key: [] for key in TRADE_KEYS}
    times = trades[0].times
    entry_indexes = [t.entry_index for t in trades]
    exit_indexes = [t.exit_index for t in trades]
    entries = iso_labels(times, np.array(entry_indexes, dtype=np.int64))
    exit_array = np.array(exit_indexes, dtype=np.int64)
    exits = [label if closed else None for label, closed in
             zip(iso_labels(times, np.maximum(exit_array, 0)), (exit_array >= 0).tolist(), strict=True)]
    columns = (
        entries, exits, [t.entry_price for t in trades], [t.exit_price for t in trades],
        [t.qty for t in trades], [t.amount for t in trades],
        [t.entry_fee + t.exit_fee for t in trades], [t.entry_fee for t in trades],
        [t.exit_fee for t in trades], [t.pnl for t in trades], [t.pnl_pct for t in trades],
        [t.exit_reason for t in trades], [t.balance_after for t in trades],
        [t.stop_loss for t in trades], [t.take_profit for t in trades], entry_indexes, exit_indexes,
    )
    return dict(zip(TRADE_KEYS, columns, strict=True))


#: Champs numériques d'un trade dans la forme compacte (`trades_to_packed`), dans l'ordre.
PACKED_NUMBERS = ("entry_price", "exit_price", "qty", "amount", "fee", "entry_fee", "exit_fee",
                  "pnl", "pnl_pct", "balance_after", "stop_loss", "take_profit")
PACKED_INDEXES = ("entry_index", "exit_index")


def trades_to_packed(trades: list[Trade]) -> dict[str, Any]:
    """Forme compacte de la réponse de l'enfant : `n`, `exit_reason` (liste), et deux blocs
    binaires en base64 (petit-boutistes) : `floats` = float64 (len(PACKED_NUMBERS), n), NaN pour
    une valeur absente (pas de SL…), `indexes` = int64 (2, n). Les dates ne sont pas envoyées :
    le parent les déduit des indices et de ses propres bougies (`results.py`)."""
    fields = [[t.entry_price for t in trades], [t.exit_price for t in trades],
              [t.qty for t in trades], [t.amount for t in trades], None,
              [t.entry_fee for t in trades], [t.exit_fee for t in trades], [t.pnl for t in trades],
              [t.pnl_pct for t in trades], [t.balance_after for t in trades],
              [t.stop_loss for t in trades], [t.take_profit for t in trades]]
    floats = np.empty((len(PACKED_NUMBERS), len(trades)), dtype="<f8")
    for row, values in enumerate(fields):
        if values is not None:
            floats[row] = np.array(values, dtype=np.float64)  # None → NaN
    floats[4] = floats[5] + floats[6]  # frais = entrée + sortie, comme `Trade.fee`
    indexes = np.array([[t.entry_index for t in trades], [t.exit_index for t in trades]],
                       dtype="<i8").reshape(len(PACKED_INDEXES), len(trades))
    return {"n": len(trades), "exit_reason": [t.exit_reason for t in trades],
            "floats": base64.b64encode(floats.tobytes()).decode("ascii"),
            "indexes": base64.b64encode(indexes.tobytes()).decode("ascii")}


def trades_to_dicts(trades: list[Trade]) -> list[dict[str, Any]]:
    """`[t.to_dict() for t in trades]`, par colonnes (~10× plus rapide)."""
    columns = trades_to_columns(trades).values()
    return [dict(zip(TRADE_KEYS, row, strict=True)) for row in zip(*columns, strict=True)]


def open_trade(times: pd.DatetimeIndex, index: int, price: float, decision: tuple, cash: float,
               fee_rate: float) -> Trade | None:
    """Achat au prix `price` selon une décision `("long", taille, sl, tp)` ; None si rien."""
    _kind, size, stop, take = decision
    amount = min(size, cash)
    if amount <= 0:
        return None
    qty = amount / (price * (1.0 + fee_rate))
    return Trade(
        times=times, entry_index=index, entry_price=price, qty=qty, amount=amount,
        entry_fee=qty * price * fee_rate,
        stop_loss=price * (1.0 - stop) if stop > 0 else None,
        take_profit=price * (1.0 + take) if take > 0 else None,
        requested_amount=size, stop_loss_pct=stop, take_profit_pct=take,
    )


@dataclass
class Market:
    """Bougies préparées : le DataFrame (index UTC) et ses prix pour la boucle."""

    frame: pd.DataFrame
    opens: Sequence[float]  # `array("d")` : lu à chaque bougie en position, en float Python
    highs: Sequence[float]
    lows: Sequence[float]
    closes: np.ndarray  # lu seulement aux achats/ventes

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Market:
        def floats(column: str) -> array:
            values = array("d")
            values.frombytes(memoryview(np.ascontiguousarray(frame[column].to_numpy(),
                                                             dtype=np.float64)).cast("B"))
            return values

        return cls(frame, floats("open"), floats("high"), floats("low"), frame["close"].to_numpy())

    @property
    def n(self) -> int:
        return len(self.closes)

    @property
    def index(self) -> pd.DatetimeIndex:
        return self.frame.index


def equity_curve(trades: list[Trade], closes: np.ndarray, initial: float) -> tuple[np.ndarray, np.ndarray]:
    """(équité à chaque clôture, quantité détenue à chaque clôture), valorisée au prix de clôture.

    Une sortie SL/TP sur la bougie j a lieu pendant j : la position n'est plus détenue à sa
    clôture ; une sortie sur signal a lieu à la clôture j : idem. `END` : détenue jusqu'au bout.
    """
    n = len(closes)
    if not trades:
        return np.full(n, float(initial)), np.zeros(n)
    entry = np.array([t.entry_index for t in trades], dtype=np.int64)
    ends = np.array([n if t.exit_reason == END else t.exit_index for t in trades], dtype=np.int64)
    qty = np.array([t.qty for t in trades])
    amount = np.array([t.amount for t in trades])
    proceeds = np.array([0.0 if t.exit_reason == END else t.qty * t.exit_price - t.exit_fee
                         for t in trades])
    held_delta = np.zeros(n + 1)
    np.add.at(held_delta, entry, qty)
    np.add.at(held_delta, ends, -qty)
    cash_delta = np.zeros(n + 1)
    np.add.at(cash_delta, entry, -amount)
    np.add.at(cash_delta, ends, proceeds)
    held = np.cumsum(held_delta[:n])
    held[np.abs(held) < 1e-12 * max(1.0, float(qty.max()))] = 0.0  # résidus d'arrondi
    cash = initial + np.cumsum(cash_delta[:n])
    return cash + held * closes, held
