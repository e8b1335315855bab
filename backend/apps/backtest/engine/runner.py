"""`run_backtest` : point d'entrée du moteur (pur : ni Django, ni base de données).

Chemin « fast » (par défaut) : la stratégie est instanciée une fois sur tout l'historique, les
méthodes de décision voient des vues « bougies <= i » (`views.py`), puis un échantillon de
bougies est re-vérifié à la manière exacte (`lookahead.py`). En cas de désaccord, tout le
backtest est recalculé par le chemin exact et `lookahead_detected` vaut True.
Décisions : si possible, une passe vectorisée évalue `should_long` / `should_short` sur toutes
les bougies d'un coup (`vector.py`, `vector_loop.py`) ; sinon, appel à chaque bougie (`simulate.py`).
Chemin « exact » : ré-instanciation sur `candles.iloc[:i + 1]` à chaque bougie (lent).
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from apps.backtest.engine.candles import candle_seconds, prepare_candles
from apps.backtest.engine.errors import BacktestError
from apps.backtest.engine.lookahead import LOOKAHEAD_MESSAGE, CheckPolicy, verify
from apps.backtest.engine.progress import CancelCallback, ProgressCallback, Ticker
from apps.backtest.engine.simulate import ExactSource, FastSource, RunRecord, simulate
from apps.backtest.engine.stats import compute_stats
from apps.backtest.engine.trades import (
    Market,
    Trade,
    equity_curve,
    iso_labels,
    iso_utc,
    trades_to_columns,
    trades_to_dicts,
    trades_to_packed,
)
from apps.backtest.engine.vector import vector_signals
from apps.backtest.engine.vector_loop import VectorFallback, simulate_vector
from apps.strategies.runtime.loader import StrategyLoadError, load_strategy_class

MODES = ("fast", "exact")
#: Nombre maximal de points de la courbe d'équité réduite (stockage, graphique).
CURVE_POINTS = 2000
#: Nombre maximal d'erreurs de stratégie détaillées dans le résultat.
MAX_ERRORS = 5
#: Part de la progression consacrée à la boucle rapide (le reste : la vérification).
FAST_LOOP_SHARE = 85.0


@dataclass
class BacktestOutput:
    """Résultat complet d'un backtest."""

    trades: list[Trade]
    stats: dict[str, Any]
    equity: np.ndarray  # équité à chaque clôture (courbe complète)
    times: pd.DatetimeIndex
    equity_curve: list[dict[str, Any]]  # réduite à <= CURVE_POINTS points
    lookahead_detected: bool = False
    mode: str = "fast"  # chemin qui a produit les résultats
    message: str | None = None
    checked_candles: int = 0
    errors_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    vectorized: bool = False  # décisions de la passe vectorisée (`vector.py`)
    curve_indices: np.ndarray | None = field(default=None, repr=False)  # bougies de la courbe

    def to_dict(self, *, trade_columns: bool = False, packed: bool = False) -> dict[str, Any]:
        """Forme JSON (statistiques, trades, courbe réduite, indicateurs du calcul) ;
        `trade_columns` : trades en colonnes `{clé: [valeurs]}` ; `packed` : `{"packed": …}`
        (`trades_to_packed`, réponse de l'enfant : la plus légère à produire et à relire)."""
        if packed:
            trades: Any = {"packed": trades_to_packed(self.trades)}
        elif trade_columns:
            trades = trades_to_columns(self.trades)
        else:
            trades = trades_to_dicts(self.trades)
        return {
            "stats": self.stats,
            "trades": trades,
            "equity_curve": self.equity_curve,
            "lookahead_detected": self.lookahead_detected,
            "mode": self.mode,
            "message": self.message,
            "checked_candles": self.checked_candles,
            "errors_count": self.errors_count,
            "errors": self.errors,
            "timings": self.timings,
        }


def downsample_indices(values: np.ndarray, points: int = CURVE_POINTS) -> np.ndarray:
    """Indices conservant, par tranche, le minimum et le maximum (creux et sommets visibles)."""
    n = len(values)
    if n <= points:
        return np.arange(n)
    buckets = max(1, (points - 2) // 2)
    edges = np.linspace(0, n, buckets + 1).astype(np.int64)
    keep = {0, n - 1}
    for start, stop in zip(edges[:-1], edges[1:], strict=True):
        if stop > start:
            chunk = values[start:stop]
            keep.add(int(start + chunk.argmin()))
            keep.add(int(start + chunk.argmax()))
    return np.array(sorted(keep), dtype=np.int64)


@contextlib.contextmanager
def _quiet_pandas_ta() -> Iterator[None]:
    """Pas d'avertissement « Series has 1 rows… » à chaque ré-instanciation sur peu de bougies."""
    logger = logging.getLogger("pandas_ta_classic")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _strategy_class(strategy: type | str) -> type:
    if isinstance(strategy, str):
        try:
            return load_strategy_class(strategy)
        except StrategyLoadError as exc:
            raise BacktestError(exc.message, extra={"line": exc.line}) from exc
    if not isinstance(strategy, type):
        raise BacktestError("Stratégie attendue : une classe ou son code Python")
    return strategy


def _check_inputs(*, mode: str, initial_amount: float, fee_rate: float) -> None:
    if mode not in MODES:
        raise BacktestError(f"Mode inconnu : « {mode} » (fast ou exact)")
    if not (isinstance(initial_amount, int | float) and math.isfinite(initial_amount)
            and initial_amount > 0):
        raise BacktestError("Le montant de départ doit être un nombre strictement positif")
    if not (0 <= fee_rate < 1):
        raise BacktestError("Les frais doivent être une fraction entre 0 et 1 (0.001 = 0,1 %)")


@dataclass
class _Run:
    """Ce que la simulation a produit, et par quel chemin."""

    record: RunRecord | None = None
    mode: str = "fast"
    lookahead: bool = False
    message: str | None = None
    checked: int = 0
    vector: bool = False  # décisions de la passe vectorisée (`vector.py`)


def _simulate_fast(cls: type, frame: pd.DataFrame, market: Market, run: _Run, *,
                   common: dict[str, Any], check_policy: CheckPolicy | None,
                   timings: dict[str, float], vectorize: bool) -> None:
    """Chemin rapide (indicateurs vectorisés) puis vérification sur un échantillon de bougies :
    un biais d'anticipation détecté bascule `run` sur le chemin exact."""
    initial, ticker = common["initial_cash"], common["ticker"]
    step = time.perf_counter()
    fast = FastSource(cls, frame, initial)
    timings["init"] = time.perf_counter() - step
    ticker.check_cancel()
    step = time.perf_counter()
    signals = (vector_signals(fast.strategy, fast.originals, market.n, lambda: ticker.tick(0.0))
               if vectorize else None)
    timings["signals"] = time.perf_counter() - step
    ticker.check_cancel()
    step = time.perf_counter()
    if signals is not None:
        try:
            run.record = simulate_vector(market, fast, signals, pct_from=0.0,
                                         pct_to=FAST_LOOP_SHARE, **common)
            run.vector = True
        except VectorFallback:  # état lu modifié ou décision différente : instance neuve
            fast = FastSource(cls, frame, initial)
    if run.record is None:
        run.record = simulate(market, fast, pct_from=0.0, pct_to=FAST_LOOP_SHARE, **common)
    timings["loop"] = time.perf_counter() - step
    step = time.perf_counter()
    policy = check_policy or CheckPolicy()
    budget = max(policy.min_seconds, policy.time_ratio * (timings["init"] + timings["loop"]))
    check = verify(market, cls, fast, run.record, initial_cash=initial, policy=policy,
                   budget=budget, ticker=ticker, pct_from=FAST_LOOP_SHARE, pct_to=100.0)
    timings["check"] = time.perf_counter() - step
    run.checked = check.checked
    if not check.ok:
        run.lookahead, run.mode = True, "exact"
        when = iso_utc(frame.index[check.candle]) if check.candle is not None else "?"
        run.message = (f"{LOOKAHEAD_MESSAGE} (bougie {when} : {check.detail}) — résultats "
                       "recalculés bougie par bougie (chemin exact)")


def _output(frame: pd.DataFrame, run: _Run, *, initial: float, fee_rate: float, seconds: float,
            curve_points: int, timings: dict[str, float], started: float) -> BacktestOutput:
    """Courbe d'équité, statistiques et erreurs de la stratégie, à partir de la simulation."""
    record = run.record
    assert record is not None
    step = time.perf_counter()
    closes = frame["close"].to_numpy()
    equity, held = equity_curve(record.trades, closes, initial)
    equity[-1] = record.final_cash  # même valeur, sans écart d'arrondi avec les trades
    stats = compute_stats(trades=record.trades, equity=equity, held=held, closes=closes,
                          initial_amount=initial, final_amount=record.final_cash,
                          fee_rate=fee_rate, candle_seconds=seconds)
    keep = downsample_indices(equity, curve_points)
    times = frame.index
    labels = iso_labels(times, keep)  # même texte que strftime("%Y-%m-%dT%H:%M:%SZ"), vectorisé
    curve = [{"time": label, "equity": value} for label, value in zip(labels, equity[keep].tolist(),
                                                                       strict=True)]
    errors = [{"time": iso_utc(times[i]), "message": msg}
              for i, msg in sorted(record.errors.items())[:MAX_ERRORS]]
    timings["stats"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - started
    return BacktestOutput(
        trades=record.trades, stats=stats, equity=equity, times=times, equity_curve=curve,
        lookahead_detected=run.lookahead, mode=run.mode, message=run.message,
        checked_candles=run.checked, errors_count=len(record.errors), errors=errors,
        vectorized=run.vector, curve_indices=keep,
        timings={k: round(v, 6) for k, v in timings.items()},
    )


def run_backtest(
    strategy: type | str,
    candles: pd.DataFrame,
    *,
    initial_amount: float,
    fee_rate: float = 0.001,
    timeframe: str | None = None,
    mode: str = "fast",
    progress_cb: ProgressCallback | None = None,
    cancel_cb: CancelCallback | None = None,
    check_policy: CheckPolicy | None = None,
    curve_points: int = CURVE_POINTS,
    vectorize: bool = True,
) -> BacktestOutput:
    """Backtest d'une stratégie (classe ou code) sur des bougies ; voir docs/backtest.md.

    Lève `BacktestError` (entrée ou stratégie invalide) ou `BacktestCancelled` (annulation).
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    _check_inputs(mode=mode, initial_amount=initial_amount, fee_rate=fee_rate)
    cls = _strategy_class(strategy)
    frame = prepare_candles(candles, copy=False)  # le moteur ne modifie jamais `frame`
    seconds = candle_seconds(frame.index, timeframe)
    market = Market.from_frame(frame)
    ticker = Ticker(progress_cb, cancel_cb)
    ticker.tick(0.0)
    timings["prepare"] = time.perf_counter() - started
    initial = float(initial_amount)
    common = {"initial_cash": initial, "fee_rate": fee_rate, "ticker": ticker}
    run = _Run(mode=mode)
    with warnings.catch_warnings(), _quiet_pandas_ta():
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        if mode == "fast":
            _simulate_fast(cls, frame, market, run, common=common, check_policy=check_policy,
                           timings=timings, vectorize=vectorize)
        if run.mode == "exact":
            step = time.perf_counter()
            run.record = simulate(market, ExactSource(cls, frame), pct_from=ticker.pct,
                                  pct_to=100.0, **common)
            timings["exact"] = time.perf_counter() - step
    return _output(frame, run, initial=initial, fee_rate=fee_rate, seconds=seconds,
                   curve_points=curve_points, timings=timings, started=started)
