"""Statistiques d'un backtest (définitions dans docs/backtest.md).

- montant final = trésorerie + position valorisée à la dernière clôture (sans frais de sortie) ;
- P&L total = montant final − montant initial (et en % du montant initial) ;
- trades gagnants / perdants : P&L > 0 / < 0 (frais compris) ; taux de réussite = gagnants / total ;
- drawdown max : plus forte baisse de l'équité (valorisée à chaque clôture) depuis son plus
  haut, montant initial compris ; exprimé en valeur positive (quote et %) ;
- Sharpe / Sortino : rendements de l'équité d'une bougie à l'autre (le premier depuis le
  montant initial), taux sans risque 0, annualisés par √(bougies par an, marché 24 h/24 et
  365 j/an) ; Sortino = moyenne / √(moyenne des min(r, 0)²) ; None si indéfini ;
- profit factor = gains bruts / pertes brutes (None sans perte) ;
- espérance = P&L moyen par trade (quote et %) ;
- exposition = % des bougies à la clôture desquelles une position est détenue ;
- buy & hold = achat du montant initial à la clôture de la première bougie (frais d'entrée),
  valorisé à la dernière clôture sans frais de sortie.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from apps.backtest.engine.trades import Trade

MINUTES_PER_YEAR = 365 * 24 * 60


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def periods_per_year(candle_seconds: float) -> float:
    return MINUTES_PER_YEAR * 60 / candle_seconds if candle_seconds > 0 else 0.0


def compute_stats(*, trades: list[Trade], equity: np.ndarray, held: np.ndarray, closes: np.ndarray,
                  initial_amount: float, final_amount: float, fee_rate: float,
                  candle_seconds: float) -> dict[str, Any]:
    """Dictionnaire de statistiques (valeurs JSON : float, int ou None)."""
    initial = float(initial_amount)
    n = len(equity)
    final = float(final_amount)
    pnls = np.array([t.pnl for t in trades], dtype=float)
    pnl_pcts = np.array([t.pnl_pct for t in trades], dtype=float)
    wins, losses = pnls[pnls > 0], pnls[pnls < 0]

    curve = np.concatenate(([initial], equity))
    peaks = np.maximum.accumulate(curve)
    drops = peaks - curve
    returns = curve[1:] / curve[:-1] - 1.0 if n else np.empty(0)
    annual = math.sqrt(periods_per_year(candle_seconds))
    sharpe = sortino = None
    if len(returns) > 1:
        std = float(returns.std(ddof=1))
        mean = float(returns.mean())
        if std > 0:
            sharpe = _finite(mean / std * annual)
        downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
        if downside > 0:
            sortino = _finite(mean / downside * annual)

    bh_final = initial / (closes[0] * (1.0 + fee_rate)) * closes[-1] if n else initial
    total_pnl = final - initial
    durations = [(t.exit_index - t.entry_index) for t in trades]
    return {
        "initial_amount": initial,
        "final_amount": final,
        "total_pnl": total_pnl,
        "total_pnl_pct": total_pnl / initial * 100.0 if initial else None,
        "total_trades": len(trades),
        "winning_trades": int(len(wins)),
        "losing_trades": int(len(losses)),
        "win_rate": len(wins) / len(trades) * 100.0 if trades else None,
        "biggest_win": float(wins.max()) if len(wins) else None,
        "biggest_loss": float(losses.min()) if len(losses) else None,
        "max_drawdown": float(drops.max()),
        "max_drawdown_pct": float((drops / peaks).max() * 100.0),
        "sharpe_ratio": sharpe,
        "sortino_ratio": sortino,
        "profit_factor": _finite(wins.sum() / -losses.sum()) if len(losses) else None,
        "expectancy": float(pnls.mean()) if len(pnls) else None,
        "expectancy_pct": float(pnl_pcts.mean()) if len(pnls) else None,
        "exposure_pct": float((held > 0).mean() * 100.0) if n else 0.0,
        "fees_paid": float(sum(t.fee for t in trades)),
        "avg_trade_candles": float(np.mean(durations)) if durations else None,
        "buy_and_hold_final": float(bh_final),
        "buy_and_hold_pct": float((bh_final - initial) / initial * 100.0) if initial else None,
        "vs_buy_and_hold_pct": float((final - bh_final) / initial * 100.0) if initial else None,
        "candles": n,
        "fee_rate": float(fee_rate),
        "open_at_end": bool(trades and trades[-1].exit_reason == "end"),
    }
