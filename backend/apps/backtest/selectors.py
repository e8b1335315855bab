"""Lectures des backtests : bougies du graphique d'un résultat."""

from __future__ import annotations

from typing import Any

from apps.backtest.models import BacktestResult
from apps.market_data.candle_store import candles_chart

DEFAULT_CHART_POINTS = 2000
MAX_CHART_POINTS = 10_000


def backtest_chart_candles(
    *, backtest: BacktestResult, max_points: int = DEFAULT_CHART_POINTS
) -> dict[str, Any]:
    """Bougies de la période du backtest (exchange du broker), regroupées au-delà de `max_points`."""
    points = min(max(int(max_points), 50), MAX_CHART_POINTS)
    data = candles_chart(
        exchange=backtest.exchange, symbol=backtest.symbol, timeframe=backtest.timeframe,
        start_ms=int(backtest.start_date.timestamp() * 1000),
        end_ms=int(backtest.end_date.timestamp() * 1000), max_points=points,
    )
    return {"timeframe": backtest.timeframe, **data}
