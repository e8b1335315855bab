"""Détection du biais d'anticipation : le chemin rapide re-vérifié par le chemin exact.

Le chemin rapide calcule les indicateurs UNE fois sur tout l'historique : c'est exact tant que
`__init__` n'utilise pas le futur (`shift(-1)`, fenêtre centrée, normalisation sur toute la
série…) et que les méthodes de décision ne gardent pas d'état. Pour le vérifier, on rejoue à
la manière exacte un échantillon de bougies i : la stratégie est ré-instanciée sur
`candles.iloc[:i + 1]` avec la trésorerie et la position qu'avait le chemin rapide, puis on
compare (1) la décision et (2) les données alignées (colonnes et séries calculées dans
`__init__`) avec celles de l'instance rapide sur les i + 1 premières lignes.

Échantillon, par priorité : premières erreurs, premiers achats et sorties sur signal, des
coupes géométriques (256, 1 024, 4 096… bougies), puis les autres décisions, 64 bougies
régulières et la dernière, dans un ordre qui couvre toute la plage.
Budget : au moins `min_checks` bougies, puis tant que le temps passé reste sous
`time_ratio` × (durée du chemin rapide) ; une bougie tardive coûte un `__init__` sur tout ce
qui la précède : celles dont le coût estimé dépasse le temps restant sont sautées.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from apps.backtest.engine.decisions import NONE, SHORT, decide, same_decision
from apps.backtest.engine.progress import Ticker
from apps.backtest.engine.simulate import ExactSource, FastSource, RunRecord
from apps.backtest.engine.trades import END, SIGNAL, Market, Trade

LOOKAHEAD_MESSAGE = "biais d'anticipation détecté"


@dataclass(frozen=True)
class CheckPolicy:
    """Réglages de la vérification par échantillon."""

    min_checks: int = 8
    max_checks: int = 200
    time_ratio: float = 0.06
    min_seconds: float = 0.02
    data_min_rows: int = 100  # comparaison des données à partir de ce nombre de lignes
    spread_points: int = 64


@dataclass
class CheckResult:
    ok: bool
    checked: int
    candle: int | None = None  # première bougie en désaccord
    detail: str = ""


def _spread_order(items: list[int]) -> list[int]:
    """Réordonne (suite de van der Corput) pour qu'un préfixe couvre toute la plage."""
    n = len(items)
    if n < 3:
        return items
    bits = max(1, (n - 1).bit_length())
    ranks = np.arange(n, dtype=np.int64)
    keys = np.zeros(n, dtype=np.int64)  # k écrit sur `bits` bits, à l'envers (clés distinctes)
    for bit in range(bits):
        keys |= ((ranks >> bit) & 1) << (bits - 1 - bit)
    return [items[k] for k in np.argsort(keys).tolist()]


def select_candles(n: int, record: RunRecord, policy: CheckPolicy) -> list[int]:
    """Bougies à re-vérifier, par ordre de priorité (sans doublons)."""
    entries = [t.entry_index for t in record.trades]
    exits = [t.exit_index for t in record.trades if t.exit_reason == SIGNAL]
    errors = sorted(record.errors)
    unfilled = sorted(record.unfilled)
    first = errors[:3] + entries[:3] + exits[:2] + unfilled[:2]
    geometric, m = [], 256
    while m < n:
        geometric.append(m - 1)
        m *= 4
    points = max(2, policy.spread_points)
    regular = [int(k * (n - 1) / (points - 1)) for k in range(points)]
    rest = sorted(set(entries + exits + errors + unfilled + regular))
    ordered = first + geometric + _spread_order(rest)
    seen: set[int] = set()
    return [i for i in ordered if 0 <= i < n and not (i in seen or seen.add(i))]


class FastReplay:
    """État et décision du chemin rapide à une bougie donnée, reconstruits depuis les trades."""

    def __init__(self, record: RunRecord, initial_cash: float) -> None:
        self.record = record
        self.entries = [t.entry_index for t in record.trades]
        self.by_entry = {t.entry_index: t for t in record.trades}
        # Événements de trésorerie : clé 2i (SL/TP pendant i), 2i + 1 (clôture de i).
        self.keys: list[float] = []
        self.cash: list[float] = []
        cash = float(initial_cash)
        for trade in record.trades:
            cash -= trade.amount
            self.keys.append(2 * trade.entry_index + 1)
            self.cash.append(cash)
            if trade.exit_reason != END:
                cash = trade.balance_after
                self.keys.append(self._exit_key(trade))
                self.cash.append(cash)
        self.initial = float(initial_cash)

    @staticmethod
    def _exit_key(trade: Trade) -> float:
        if trade.exit_reason == END:
            return float("inf")
        return 2 * trade.exit_index + (1 if trade.exit_reason == SIGNAL else 0)

    def state(self, i: int) -> tuple[float, Trade | None]:
        """(trésorerie, trade ouvert) au moment de la décision de la bougie i."""
        k = bisect.bisect_left(self.keys, 2 * i + 1) - 1
        cash = self.cash[k] if k >= 0 else self.initial
        j = bisect.bisect_left(self.entries, i) - 1
        trade = self.record.trades[j] if j >= 0 else None
        if trade is not None and self._exit_key(trade) < 2 * i + 1:
            trade = None
        return cash, trade

    def decision(self, i: int, trade: Trade | None) -> tuple:
        record = self.record
        if i in record.errors:
            return ("error", record.errors[i])
        if trade is not None:
            return SHORT if trade.exit_index == i and trade.exit_reason == SIGNAL else NONE
        opened = self.by_entry.get(i)
        if opened is not None:
            return ("long", opened.requested_amount, opened.stop_loss_pct, opened.take_profit_pct)
        return record.unfilled.get(i, NONE)


def _same_values(a: Any, b: Any) -> bool:
    """Valeurs égales, valeurs manquantes (NaN/None) comprises ; types numériques tolérés."""
    av, bv = np.asarray(a), np.asarray(b)
    if av.shape != bv.shape:
        return False
    if av.dtype.kind in "fiub" and bv.dtype.kind in "fiub":
        return bool(np.array_equal(av, bv, equal_nan=av.dtype.kind == "f" or bv.dtype.kind == "f"))
    try:
        na_a, na_b = pd.isna(av), pd.isna(bv)
        if not np.array_equal(na_a, na_b):
            return False
        return bool(np.all(av[~na_a] == bv[~na_b]))
    except (TypeError, ValueError):
        return False


def _same_data(exact: Any, original: Any, m: int) -> bool:
    """L'attribut de l'instance exacte (m lignes) égale les m premières lignes de l'original."""
    if isinstance(original, pd.DataFrame):
        if not isinstance(exact, pd.DataFrame) or len(exact) != m:
            return False
        if list(exact.columns) != list(original.columns):
            return False
        head = original.iloc[:m]
        return all(_same_values(exact.iloc[:, k], head.iloc[:, k]) for k in range(head.shape[1]))
    if isinstance(original, pd.Series):
        return isinstance(exact, pd.Series) and len(exact) == m and _same_values(exact, original.iloc[:m])
    return isinstance(exact, np.ndarray) and exact.shape[:1] == (m,) and _same_values(exact, original[:m])


def verify(market: Market, cls: type, fast: FastSource, record: RunRecord, *, initial_cash: float,
           policy: CheckPolicy, budget: float, ticker: Ticker, pct_from: float,
           pct_to: float) -> CheckResult:
    """Rejoue un échantillon de bougies à la manière exacte ; s'arrête au premier désaccord."""
    exact = ExactSource(cls, market.frame)
    replay = FastReplay(record, initial_cash)
    candidates = select_candles(market.n, record, policy)
    started = time.monotonic()
    checked = rows = 0
    limit = min(len(candidates), policy.max_checks)
    for i in candidates:
        if checked >= limit:
            break
        elapsed = time.monotonic() - started
        if checked >= policy.min_checks:
            if elapsed > budget:
                break
            if elapsed / max(rows, 1) * (i + 1) > budget - elapsed:
                continue  # trop coûteuse pour le temps restant : une bougie plus tôt peut passer
        rows += i + 1
        ticker.tick(pct_from + (pct_to - pct_from) * checked / limit)
        cash, trade = replay.state(i)
        strategy, error = exact.instantiate(i, cash, trade)
        checked += 1
        if strategy is not None and i + 1 >= policy.data_min_rows:  # avant toute décision
            attrs = getattr(strategy, "__dict__", {})
            for name, original in fast.originals.items():
                if not _same_data(attrs.get(name), original, i + 1):
                    return CheckResult(False, checked, i, f"données « {name} » différentes")
        expected = replay.decision(i, trade)
        got = error if strategy is None else decide(strategy, trade is None)
        if not same_decision(expected, got):
            return CheckResult(False, checked, i, f"décision {expected[0]} (rapide) ≠ {got[0]} (exact)")
    return CheckResult(True, checked)
