"""La boucle de simulation, commune aux chemins rapide et exact.

Pour chaque bougie i :
1. position ouverte (achetée à une clôture < i) : SL puis TP testés sur la bougie i
   (ouverture au-delà du niveau → exécution à l'ouverture ; sinon au niveau ; SL d'abord) ;
2. à la clôture de i, la stratégie (qui ne voit que les bougies <= i) décide :
   à plat → `should_long()` (puis taille, SL, TP) ; en position → `should_short()`.
Le chemin rapide (`FastSource`) réutilise une seule instance dont les attributs alignés sur
les bougies sont des vues (`views.py`) ; le chemin exact (`ExactSource`) ré-instancie la
stratégie sur `candles.iloc[:i + 1]` à chaque bougie (lecture littérale de la spec).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from apps.backtest.engine.decisions import (
    NONE,
    SHORT,
    check_bool,
    decide,
    entry_decision,
    error_decision,
)
from apps.backtest.engine.errors import BacktestError
from apps.backtest.engine.progress import Ticker
from apps.backtest.engine.trades import (
    END,
    SIGNAL,
    STOP_LOSS,
    TAKE_PROFIT,
    Market,
    Trade,
    open_trade,
)
from apps.backtest.engine.views import Cursor, make_views
from apps.strategies.runtime.loader import describe_exception

#: Appel de `Ticker.tick` toutes les TICK_EVERY bougies en chemin rapide (puissance de 2).
TICK_EVERY = 64
NP_TRUE, NP_FALSE = np.True_, np.False_


def _aligned(value: Any, index: pd.Index) -> bool:
    """Objet pandas ou tableau numpy d'une ligne par bougie (vérifié ensuite par l'échantillon)."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return len(value) == len(index)
    return isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == len(index)


class FastSource:
    """Une seule instance sur tout l'historique ; ses données alignées deviennent des vues."""

    exact = False

    def __init__(self, cls: type, frame: pd.DataFrame, initial_cash: float) -> None:
        balance = float(initial_cash) + 0.0  # objet neuf : reconnu par identité ci-dessous
        try:
            self.strategy = cls(frame.copy(), balance, None)
        except Exception as exc:
            message, line = describe_exception(exc, "dans __init__")
            raise BacktestError(message, extra={"line": line}) from exc
        attrs = getattr(self.strategy, "__dict__", {})
        # On ne met à jour balance/position que si __init__ les a rangés tels quels.
        self.manage_balance = attrs.get("balance") is balance
        self.manage_position = "position" in attrs and attrs["position"] is None
        self.cursor = Cursor()
        self.originals: dict[str, Any] = {}  # données alignées d'origine (pour la vérification)
        self.arrays: list[tuple[str, np.ndarray]] = []
        self.safe_frames: list[tuple[str, Any]] = []
        for name, value in list(attrs.items()):
            if name in ("balance", "position") or not _aligned(value, frame.index):
                continue
            self.originals[name] = value
            views = make_views(value, self.cursor)
            if views is None:
                self.arrays.append((name, value))
            else:
                setattr(self.strategy, name, views[0])
                if views[1] is not views[0]:
                    self.safe_frames.append((name, views[1]))

    @property
    def turbo(self) -> bool:
        return self.cursor.turbo

    def demote(self) -> None:
        """Mode sûr pour le reste de l'exécution (après une exception en mode turbo)."""
        self.cursor.demote()
        for name, view in self.safe_frames:
            setattr(self.strategy, name, view)

    def set_state(self, cash: float, trade: Trade | None) -> None:
        if self.manage_balance:
            self.strategy.balance = cash
        if self.manage_position:
            self.strategy.position = trade.position_dict() if trade is not None else None


class ExactSource:
    """Ré-instancie la stratégie sur `candles.iloc[:i + 1]` (copie) à chaque bougie."""

    exact = True

    def __init__(self, cls: type, frame: pd.DataFrame) -> None:
        self.cls = cls
        self.frame = frame

    def instantiate(self, i: int, cash: float, trade: Trade | None) -> tuple[Any, tuple | None]:
        """(instance, None) ou (None, décision « erreur ») si `__init__` échoue."""
        position = trade.position_dict() if trade is not None else None
        try:
            return self.cls(self.frame.iloc[: i + 1].copy(), cash, position), None
        except Exception as exc:
            return None, error_decision(exc, "__init__")

    def decide(self, i: int, cash: float, trade: Trade | None) -> tuple:
        strategy, error = self.instantiate(i, cash, trade)
        return error if strategy is None else decide(strategy, trade is None)


@dataclass
class RunRecord:
    """Résultat brut d'une simulation."""

    trades: list[Trade] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)  # bougie → message
    unfilled: dict[int, tuple] = field(default_factory=dict)  # long sans achat (taille <= 0…)
    final_cash: float = 0.0


class _Book:
    """Trésorerie et position pendant une simulation : stops de la bougie, décisions exécutées."""

    __slots__ = ("cash", "closes", "fee_rate", "record", "sl", "times", "tp", "trade")

    def __init__(self, market: Market, *, initial_cash: float, fee_rate: float) -> None:
        self.cash = float(initial_cash)
        self.trade: Trade | None = None
        self.sl, self.tp = -math.inf, math.inf
        self.fee_rate = fee_rate
        self.times, self.closes = market.index, market.closes
        self.record = RunRecord()

    def stop_hit(self, i: int, o: float, high: float, low: float) -> bool:
        """SL puis TP pendant la bougie i (ouverture au-delà du niveau : exécution à l'ouverture)."""
        if o <= self.sl:
            price, reason = o, STOP_LOSS
        elif o >= self.tp:
            price, reason = o, TAKE_PROFIT
        elif low <= self.sl:
            price, reason = self.sl, STOP_LOSS
        elif high >= self.tp:
            price, reason = self.tp, TAKE_PROFIT
        else:
            return False
        self.cash = self.trade.close(i, price, reason, self.fee_rate, self.cash)  # type: ignore[union-attr]
        self.trade = None
        return True

    def apply(self, i: int, decision: tuple) -> bool:
        """Exécute une décision à la clôture de i ; True si la position a changé."""
        kind = decision[0]
        if kind == "error":
            self.record.errors[i] = decision[1]
        elif kind == "short":
            if self.trade is not None:
                self.cash = self.trade.close(i, float(self.closes[i]), SIGNAL, self.fee_rate,
                                             self.cash)
                self.trade = None
                return True
        elif len(decision) == 4 and self.trade is None:
            trade = open_trade(self.times, i, float(self.closes[i]), decision, self.cash,
                               self.fee_rate)
            if trade is None:
                self.record.unfilled[i] = decision
                return False
            self.record.trades.append(trade)
            self.cash -= trade.amount
            self.trade = trade
            self.sl = trade.stop_loss if trade.stop_loss is not None else -math.inf
            self.tp = trade.take_profit if trade.take_profit is not None else math.inf
            return True
        else:
            self.record.unfilled[i] = decision
        return False

    def finish(self, n: int) -> RunRecord:
        """Position encore ouverte vendue à la dernière clôture (sans frais)."""
        if self.trade is not None and n:
            self.cash = self.trade.close(n - 1, float(self.closes[n - 1]), END, self.fee_rate,
                                         self.cash)
        self.record.final_cash = self.cash
        return self.record


def simulate(market: Market, source: FastSource | ExactSource, *, initial_cash: float,
             fee_rate: float, ticker: Ticker, pct_from: float = 0.0, pct_to: float = 100.0) -> RunRecord:
    """Déroule toute la simulation ; progression envoyée entre `pct_from` et `pct_to`."""
    book = _Book(market, initial_cash=initial_cash, fee_rate=fee_rate)
    pct_step = (pct_to - pct_from) / max(market.n, 1)
    if source.exact:
        _loop_exact(market, source, book, ticker, pct_from, pct_step)  # type: ignore[arg-type]
    else:
        _loop_fast(market, source, book, ticker, pct_from, pct_step)  # type: ignore[arg-type]
    return book.finish(market.n)


def _loop_exact(market: Market, source: ExactSource, book: _Book, ticker: Ticker,
                pct_from: float, pct_step: float) -> None:
    opens, highs, lows = market.opens, market.highs, market.lows
    for i in range(market.n):
        if book.trade is not None:
            book.stop_hit(i, opens[i], highs[i], lows[i])
        ticker.tick(pct_from + pct_step * i)
        decision = source.decide(i, book.cash, book.trade)
        if decision is not NONE:
            book.apply(i, decision)


def _loop_fast(market: Market, source: FastSource, book: _Book, ticker: Ticker,
               pct_from: float, pct_step: float) -> None:
    """Boucle chaude : une seule instance, vues avancées d'une bougie, appels de la stratégie."""
    opens, highs, lows = market.opens, market.highs, market.lows
    tick_mask = TICK_EVERY - 1
    strategy, cursor, arrays = source.strategy, source.cursor, source.arrays
    dirty, feeds = cursor.dirty, cursor.feeds
    should_long, should_short = strategy.should_long, strategy.should_short
    for i in range(market.n):
        if book.trade is not None and book.stop_hit(i, opens[i], highs[i], lows[i]):
            source.set_state(book.cash, None)
        if not i & tick_mask:
            ticker.tick(pct_from + pct_step * i)
        if dirty:
            cursor.clean()
        cursor.end = i + 1
        if feeds:
            for append, boxed in feeds:
                append(boxed[i])
        if arrays:
            for name, values in arrays:
                setattr(strategy, name, values[: i + 1])
        flat = book.trade is None
        try:
            flag = should_long() if flat else should_short()
            if flag is False or flag is NP_FALSE:
                continue
            if not (flag is True or flag is NP_TRUE
                    or check_bool(flag, "should_long" if flat else "should_short")):
                continue
            decision = entry_decision(strategy) if flat else SHORT
        except Exception as exc:  # code utilisateur
            if source.turbo:  # une vue turbo a pu lever : on rejoue la bougie en mode sûr
                source.demote()
                decision = decide(strategy, flat)
            else:
                decision = error_decision(exc, "should_long" if flat else "should_short")
        if decision is not NONE and book.apply(i, decision):
            source.set_state(book.cash, book.trade)
