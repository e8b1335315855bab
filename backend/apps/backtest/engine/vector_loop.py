"""Simulation guidée par les décisions vectorisées (`vector.py`) : mêmes règles, mêmes trades.

Au lieu de visiter chaque bougie, la boucle saute d'un événement au suivant :
- à plat, la prochaine bougie où `should_long()` est vraie (ou inconnue : le vrai code décide
  à cette bougie) ; `calculate_position_size`, `calculate_stop_loss`, `calculate_take_profit`
  sont appelées là, par le vrai code, avec la vraie trésorerie (vues « bougies <= i ») ;
- en position, le premier de : SL/TP touché (recherche numpy sur les bas et hauts, SL d'abord,
  gap à l'ouverture : `_Book.stop_hit`, inchangé) ou `should_short()` vraie (ou inconnue).
Trésorerie, position et décisions passent par le même `_Book` que la boucle bougie par bougie.
Les attributs lus par la passe vectorisée sont surveillés après chaque appel du vrai code, puis
un échantillon de décisions vectorisées est recalculé par le vrai code : au moindre écart,
`VectorFallback` (la boucle bougie par bougie refait tout, sur une instance neuve).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

import numpy as np

from apps.backtest.engine.decisions import NONE, SHORT, check_bool, decide, entry_decision, error_decision
from apps.backtest.engine.progress import Ticker
from apps.backtest.engine.simulate import FastSource, RunRecord, _Book
from apps.backtest.engine.trades import SIGNAL, Market
from apps.backtest.engine.vector import Signals

#: Bougies examinées une à une (listes Python) avant la recherche numpy d'un SL/TP.
STOP_SCAN = 48
#: Première fenêtre numpy de recherche d'un SL/TP (bougies), quadruplée ensuite.
STOP_WINDOW = 256
#: Progression et annulation toutes les TICK_ENTRIES + 1 bougies candidates à l'achat.
TICK_ENTRIES = 7
#: Décisions vectorisées recalculées par le vrai code après la simulation (par méthode).
CROSS_CHECKS = 48


class VectorFallback(Exception):  # noqa: N818
    """L'état lu par la passe vectorisée a changé, ou une décision diffère : boucle classique."""


def first_stop(prices: tuple[Any, ...], start: int, stop: int, sl: float, tp: float) -> int:
    """Première bougie k de [start, stop) où le SL ou le TP est touché ; `stop` sinon.

    `prices` : (min(ouverture, bas), max(ouverture, haut)) en tableaux numpy et en listes.
    """
    if sl == -np.inf and tp == np.inf:
        return stop
    lo, hi, lo_list, hi_list = prices
    a = min(stop, start + STOP_SCAN)
    for k, low, high in zip(range(start, a), lo_list[start:a], hi_list[start:a], strict=True):
        if low <= sl or high >= tp:  # trades courts : plus rapide qu'un appel numpy
            return k
    size = STOP_WINDOW
    while a < stop:
        b = min(stop, a + size)
        hit = lo[a:b] <= sl
        hit |= hi[a:b] >= tp
        k = int(hit.argmax())
        if hit[k]:
            return a + k
        a, size = b, size * 4
    return stop


def range_extremes(long_at: np.ndarray, short_at: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                   n: int) -> dict[int, tuple[float, float]]:
    """Pour chaque bougie j candidate à l'achat (la première avant chaque candidate à la vente
    kd) : (min de `lo`, max de `hi`) sur [j + 1, kd] — la plage que `first_stop` parcourt après
    un achat en j. Deux comparaisons disent alors s'il y a un SL/TP à chercher (rare).
    Plages disjointes et croissantes : deux `reduceat` numpy pour toutes à la fois."""
    if not len(long_at) or n < 2:
        return {}
    k = np.searchsorted(short_at, long_at + 1)
    kd = np.where(k < len(short_at), short_at[np.minimum(k, max(len(short_at) - 1, 0))], n) \
        if len(short_at) else np.full(len(long_at), n)
    first = np.ones(len(long_at), dtype=bool)
    first[1:] = k[1:] != k[:-1]  # une seule candidate par plage : les plages restent disjointes
    starts, ends = long_at + 1, np.minimum(kd + 1, n)
    keep = first & (starts < ends)
    starts, ends = starts[keep], ends[keep]
    if not len(starts):
        return {}
    bounds = np.empty(2 * len(starts), dtype=np.int64)
    bounds[0::2], bounds[1::2] = starts, ends
    if bounds[-1] == n:  # la dernière plage va jusqu'au bout : `reduceat` le fait seul
        bounds = bounds[:-1]
    lows = np.minimum.reduceat(lo, bounds)[0::2].tolist()
    highs = np.maximum.reduceat(hi, bounds)[0::2].tolist()
    return dict(zip((starts - 1).tolist(), zip(lows, highs, strict=True), strict=True))


def seek(source: FastSource, i: int) -> None:
    """Vues (mode sûr) positionnées sur « bougies <= i »."""
    cursor = source.cursor
    if cursor.dirty:
        cursor.clean()
    cursor.end = i + 1
    for name, values in source.arrays:
        setattr(source.strategy, name, values[: i + 1])


class _VectorLoop:
    def __init__(self, market: Market, source: FastSource, signals: Signals, book: _Book,
                 ticker: Ticker, pct: tuple[float, float]) -> None:
        self.market, self.source, self.signals, self.book, self.ticker = (market, source, signals,
                                                                          book, ticker)
        self.pct_from, self.pct_step = pct
        self.n = market.n
        self.long_at = np.flatnonzero(signals.long | signals.long_unknown).tolist()
        self.short_at = np.flatnonzero(signals.short | signals.short_unknown).tolist()
        opens = np.frombuffer(market.opens, dtype=np.float64)  # type: ignore[arg-type]
        lo = np.minimum(opens, np.frombuffer(market.lows, dtype=np.float64))  # type: ignore[arg-type]
        hi = np.maximum(opens, np.frombuffer(market.highs, dtype=np.float64))  # type: ignore[arg-type]
        if np.array_equal(lo, market.lows) and np.array_equal(hi, market.highs):
            self.prices = (lo, hi, market.lows, market.highs)  # bougies cohérentes : array("d")
        else:
            self.prices = (lo, hi, lo.tolist(), hi.tolist())
        self.extremes = range_extremes(np.asarray(self.long_at, dtype=np.int64),
                                       np.asarray(self.short_at, dtype=np.int64), lo, hi, self.n)
        self.instance_dict = getattr(source.strategy, "__dict__", {})
        self.position_pending = False  # `self.position` posé au premier appel du vrai code
        self.long_unknown = set(np.flatnonzero(signals.long_unknown).tolist())
        self.quick_ok = signals.guard.quick_ok

    def _state_changed(self) -> None:
        """Comme `FastSource.set_state`, mais le dict de la position n'est construit que si du
        vrai code tourne pendant qu'elle est ouverte (même contenu, même moment observable)."""
        source, book = self.source, self.book
        if source.manage_balance:
            source.strategy.balance = book.cash
        if source.manage_position:
            self.position_pending = book.trade is not None
            if book.trade is None:
                source.strategy.position = None

    def flush_position(self) -> None:
        if self.position_pending and self.book.trade is not None:
            self.source.strategy.position = self.book.trade.position_dict()
        self.position_pending = False

    def _checked(self) -> None:
        if not self.quick_ok(self.instance_dict):
            raise VectorFallback

    def run(self) -> None:
        i, long_at = 0, self.long_at
        while i < self.n:
            k = bisect_left(long_at, i)
            if k == len(long_at):
                return
            j = long_at[k]
            if not k & TICK_ENTRIES:
                self.ticker.tick(self.pct_from + self.pct_step * j)
            self._decide_long(j)
            i = self._hold(j) if self.book.trade is not None else j + 1

    def _decide_long(self, j: int) -> None:
        source, book = self.source, self.book
        seek(source, j)
        if j in self.long_unknown:
            decision = decide(source.strategy, True)
        else:
            try:
                decision = entry_decision(source.strategy)
            except Exception as exc:  # code utilisateur (même message que la boucle classique)
                decision = error_decision(exc, "should_long")
        if not self.quick_ok(self.instance_dict):
            raise VectorFallback
        if decision is not NONE and book.apply(j, decision):
            self._state_changed()

    def _hold(self, j: int) -> int:
        """Position ouverte à la clôture de j ; renvoie la bougie de la décision suivante à plat."""
        market, book, source, n = self.market, self.book, self.source, self.n
        short_at, unknown = self.short_at, self.signals.short_unknown
        start = j + 1
        extremes = self.extremes.get(j)  # plage [j + 1, kd] précalculée : pas de SL/TP à chercher ?
        while True:
            k = bisect_left(short_at, start)
            kd = short_at[k] if k < len(short_at) else n
            end = min(kd + 1, n)
            if extremes is not None and extremes[0] > book.sl and extremes[1] < book.tp:
                ks = end
            else:
                ks = first_stop(self.prices, start, end, book.sl, book.tp)
            extremes = None
            if ks < end:  # SL/TP pendant ks (avant la décision de clôture) : à plat à ks
                book.stop_hit(ks, market.opens[ks], market.highs[ks], market.lows[ks])
                self._state_changed()
                return ks
            if kd >= n:
                return n
            if unknown[kd]:
                self.ticker.tick(self.pct_from + self.pct_step * kd)
                self.flush_position()
                seek(source, kd)
                decision = decide(source.strategy, False)
                self._checked()
            else:
                decision = SHORT
            if decision is not NONE and book.apply(kd, decision):
                self._state_changed()
                return kd + 1
            start = kd + 1


def _sample(n: int, marked: list[int]) -> list[int]:
    regular = [int(k * (n - 1) / (CROSS_CHECKS - 1)) for k in range(CROSS_CHECKS)] if n > 1 else [0]
    near = [m + d for m in marked[:CROSS_CHECKS // 4] for d in (-1, 0)]
    return sorted({i for i in regular + near if 0 <= i < n})


def cross_check(source: FastSource, signals: Signals, record: RunRecord, n: int) -> bool:
    """Un échantillon de décisions vectorisées recalculé par le vrai code (mêmes vues)."""
    entries = [t.entry_index for t in record.trades]
    exits = [t.exit_index for t in record.trades if t.exit_reason == SIGNAL]
    strategy: Any = source.strategy
    for method, flags, unknown, marked in (
        ("should_long", signals.long, signals.long_unknown, entries),
        ("should_short", signals.short, signals.short_unknown, exits),
    ):
        for i in _sample(n, marked):
            if unknown[i]:
                continue
            seek(source, i)
            try:
                flag = check_bool(getattr(strategy, method)(), method)
            except Exception:  # noqa: BLE001 (le vrai code lève là où la passe a décidé)
                return False
            if flag != bool(flags[i]):
                return False
    return True


def simulate_vector(market: Market, source: FastSource, signals: Signals, *, initial_cash: float,
                    fee_rate: float, ticker: Ticker, pct_from: float = 0.0,
                    pct_to: float = 100.0) -> RunRecord:
    """Simulation complète guidée par `signals` ; `VectorFallback` si elle n'est pas sûre."""
    book = _Book(market, initial_cash=initial_cash, fee_rate=fee_rate)
    source.demote()  # vues sûres : positionnables sur n'importe quelle bougie
    # (les tableaux numpy sont remis à chaque bougie, comme dans la boucle classique)
    signals.guard.watch_views(getattr(source.strategy, "__dict__", {}),
                              {name for name, _ in source.arrays})
    loop = _VectorLoop(market, source, signals, book, ticker,
                       (pct_from, (pct_to - pct_from) / max(market.n, 1)))
    loop.run()
    loop.flush_position()
    record = book.finish(market.n)
    if not signals.guard.full_ok(loop.instance_dict):
        raise VectorFallback
    if not cross_check(source, signals, record, market.n):
        raise VectorFallback
    return record
