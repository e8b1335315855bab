"""Moteur de backtest d'Aristobot (pur : ni Django, ni ORM — exécutable dans un worker).

API publique :
- `run_backtest(strategie | code, bougies, *, initial_amount, fee_rate=0.001, timeframe=None,
  mode="fast", progress_cb=None, cancel_cb=None) -> BacktestOutput` ;
- `BacktestOutput` (trades, stats, courbe d'équité, `lookahead_detected`, durées), `Trade` ;
- `BacktestError` (entrée invalide, message français), `BacktestCancelled` (annulation) ;
- `prepare_candles`, `read_candles_csv` : bougies au format attendu ;
- `LOOKAHEAD_MESSAGE` : « biais d'anticipation détecté ».
Sémantique et statistiques : docs/backtest.md.
"""

from apps.backtest.engine.candles import prepare_candles, read_candles_csv, timeframe_seconds
from apps.backtest.engine.errors import BacktestCancelled, BacktestError
from apps.backtest.engine.lookahead import LOOKAHEAD_MESSAGE, CheckPolicy
from apps.backtest.engine.runner import BacktestOutput, run_backtest
from apps.backtest.engine.trades import Trade

__all__ = [
    "LOOKAHEAD_MESSAGE",
    "BacktestCancelled",
    "BacktestError",
    "BacktestOutput",
    "CheckPolicy",
    "Trade",
    "prepare_candles",
    "read_candles_csv",
    "run_backtest",
    "timeframe_seconds",
]
