"""Sémantique du moteur sur des bougies faites main (chemins rapide et exact)."""

from __future__ import annotations

import math

import pytest

from apps.backtest.engine import BacktestError, CheckPolicy, run_backtest
from apps.backtest.tests.factories import flat_candles, make_candles, scripted
from apps.strategies.runtime.base import Strategy

FEE = 0.001
MODES = ("fast", "exact")


def run(cls, candles, mode="fast", amount=10_000.0, fee=FEE, **kw):
    out = run_backtest(cls, candles, initial_amount=amount, fee_rate=fee, mode=mode, **kw)
    assert not out.lookahead_detected
    return out


# Bougie d'entrée (clôture 100) puis une bougie « test » : SL 2 % → 98, TP 4 % → 104.
ENTRY = [(100, 100, 100, 100), (100, 100, 100, 100)]


@pytest.mark.parametrize("mode", MODES)
def test_buy_at_close_then_signal_exit_at_close_with_fee_math(mode):
    candles = make_candles(ENTRY + [(101, 111, 100, 105), (105, 112, 104, 110)])
    out = run(scripted(long_at={1}, short_at={3}), candles, mode)
    (trade,) = out.trades
    qty = 1000 / (100 * (1 + FEE))
    assert trade.entry_index == 1 and trade.entry_price == 100
    assert trade.qty == pytest.approx(qty, rel=1e-15)
    assert trade.entry_fee == pytest.approx(1000 - qty * 100) == pytest.approx(qty * 100 * FEE)
    assert trade.exit_index == 3 and trade.exit_price == 110 and trade.exit_reason == "signal"
    assert trade.exit_fee == pytest.approx(qty * 110 * FEE)
    assert trade.pnl == pytest.approx(qty * 110 * (1 - FEE) - 1000)
    assert trade.pnl_pct == pytest.approx(trade.pnl / 1000 * 100)
    assert trade.balance_after == pytest.approx(9000 + qty * 110 * (1 - FEE))
    assert out.stats["final_amount"] == pytest.approx(trade.balance_after)
    assert out.stats["fees_paid"] == pytest.approx(trade.entry_fee + trade.exit_fee)


@pytest.mark.parametrize("mode", MODES)
def test_stop_loss_hit_fills_at_level(mode):
    candles = make_candles(ENTRY + [(99, 99.5, 97.5, 99)])
    (trade,) = run(scripted(long_at={1}, stop=0.02, take=0.04), candles, mode).trades
    assert (trade.exit_reason, trade.exit_index, trade.exit_price) == ("stop_loss", 2, 98.0)


@pytest.mark.parametrize("mode", MODES)
def test_take_profit_hit_fills_at_level(mode):
    candles = make_candles(ENTRY + [(101, 105, 100, 103)])
    (trade,) = run(scripted(long_at={1}, stop=0.02, take=0.04), candles, mode).trades
    assert (trade.exit_reason, trade.exit_index, trade.exit_price) == ("take_profit", 2, 104.0)


def test_stop_and_take_inside_one_candle_stop_loss_first():
    candles = make_candles(ENTRY + [(100, 105, 97, 101)])
    (trade,) = run(scripted(long_at={1}, stop=0.02, take=0.04), candles).trades
    assert (trade.exit_reason, trade.exit_price) == ("stop_loss", 98.0)


@pytest.mark.parametrize(("bar", "reason", "price"), [
    ((95, 99, 94, 96), "stop_loss", 95.0),  # ouverture sous le SL : exécution à l'ouverture
    ((106, 107, 105, 106), "take_profit", 106.0),  # ouverture au-dessus du TP
])
def test_gap_through_level_fills_at_open(bar, reason, price):
    candles = make_candles(ENTRY + [bar])
    (trade,) = run(scripted(long_at={1}, stop=0.02, take=0.04), candles).trades
    assert (trade.exit_reason, trade.exit_price) == (reason, price)


def test_levels_not_checked_on_entry_candle():
    candles = make_candles([(100, 100, 100, 100), (100, 110, 90, 100), (100, 100, 100, 100)])
    (trade,) = run(scripted(long_at={1}, stop=0.02, take=0.04), candles).trades
    assert trade.exit_reason == "end"


@pytest.mark.parametrize("mode", MODES)
def test_reentry_on_the_candle_where_stop_loss_closed(mode):
    candles = make_candles(ENTRY + [(99, 99.5, 97, 97.5), (97.5, 97.5, 97.5, 97.5)])
    out = run(scripted(long_at={1, 2}, stop=0.02), candles, mode)
    first, second = out.trades
    assert (first.exit_reason, first.exit_index) == ("stop_loss", 2)
    assert (second.entry_index, second.entry_price) == (2, 97.5)
    assert second.amount == 1000  # la trésorerie rendue par le SL est disponible


@pytest.mark.parametrize("mode", MODES)
def test_open_position_valued_at_last_close_without_exit_fee(mode):
    candles = make_candles(ENTRY + [(100, 121, 100, 120)])
    out = run(scripted(long_at={1}), candles, mode)
    (trade,) = out.trades
    assert (trade.exit_reason, trade.exit_price, trade.exit_fee) == ("end", 120.0, 0.0)
    assert out.stats["final_amount"] == pytest.approx(9000 + trade.qty * 120)
    assert out.stats["open_at_end"] is True
    assert out.equity[-1] == pytest.approx(out.stats["final_amount"])


def test_one_position_at_a_time_and_amount_capped_to_cash():
    out = run(scripted(long_at={0, 1, 2}, short_at={3}, size=50_000), flat_candles(5), amount=1000)
    (trade,) = out.trades
    assert trade.amount == 1000 and trade.requested_amount == 50_000 and trade.entry_index == 0


@pytest.mark.parametrize("size", [0.0, -5.0])
def test_zero_or_negative_size_opens_nothing(size):
    out = run(scripted(long_at={1}, size=size), flat_candles(4))
    assert out.trades == []
    assert out.errors_count == (1 if size < 0 else 0)  # taille négative : erreur de la stratégie


def test_balance_and_position_seen_by_the_strategy():
    seen: list[tuple[int, float, dict | None]] = []

    class Recorder(Strategy):
        def should_long(self):
            seen.append((len(self.candles) - 1, self.balance, self.position))
            return len(self.candles) == 2

        def should_short(self):
            seen.append((len(self.candles) - 1, self.balance, self.position))
            return len(self.candles) == 4

        def calculate_position_size(self):
            return self.balance * 0.1

    out = run(Recorder, flat_candles(5), check_policy=CheckPolicy(max_checks=0), amount=1000)
    (trade,) = out.trades
    assert [s[0] for s in seen] == [0, 1, 2, 3, 4]
    assert seen[1][1:] == (1000.0, None)
    index, balance, position = seen[2]
    assert balance == pytest.approx(900.0)
    assert position == {"entry_price": 100.0, "quantity": trade.qty, "entry_time": trade.entry_time,
                        "stop_loss": None, "take_profit": None, "side": "long", "entry_cost": 100.0,
                        "stop_loss_price": None, "take_profit_price": None,
                        "opened_at": "2025-01-01T00:01:00+00:00"}
    assert seen[4][2] is None and seen[4][1] == pytest.approx(trade.balance_after)


def test_statistics_on_a_known_scenario():
    # Achat à 100 (bougie 1), vente à 110 (3) ; achat à 110 (4), SL 10 % à 99 (5) ; fin à 99.
    rows = [(100, 100, 100, 100), (100, 100, 100, 100), (100, 105, 100, 105), (105, 110, 105, 110),
            (110, 110, 110, 110), (105, 105, 95, 99), (99, 99, 99, 99)]
    out = run(scripted(long_at={1, 4}, short_at={3}, stop=0.1), make_candles(rows), fee=0.0,
              amount=1000)
    stats = out.stats
    win, loss = out.trades
    assert win.pnl == pytest.approx(100.0) and loss.pnl == pytest.approx(-100.0)
    assert stats["total_trades"] == 2 and stats["winning_trades"] == 1 and stats["losing_trades"] == 1
    assert stats["win_rate"] == 50.0
    assert stats["final_amount"] == pytest.approx(1000.0) and stats["total_pnl"] == pytest.approx(0)
    assert stats["biggest_win"] == pytest.approx(100) and stats["biggest_loss"] == pytest.approx(-100)
    assert stats["profit_factor"] == pytest.approx(1.0)
    assert stats["expectancy"] == pytest.approx(0.0)
    # Équité : 1000, 1000, 1050, 1100 (plus haut), 1100, 1000 (après SL), 1000.
    assert list(out.equity) == pytest.approx([1000, 1000, 1050, 1100, 1100, 1000, 1000])
    assert stats["max_drawdown"] == pytest.approx(100.0)
    assert stats["max_drawdown_pct"] == pytest.approx(100 / 1100 * 100)
    assert stats["exposure_pct"] == pytest.approx(3 / 7 * 100)  # clôtures 1, 2 et 4
    assert stats["buy_and_hold_final"] == pytest.approx(990.0)
    assert stats["fees_paid"] == 0.0
    returns = [0, 0, 0.05, 1100 / 1050 - 1, 0, 1000 / 1100 - 1, 0]
    mean = sum(returns) / 7
    std = math.sqrt(sum((r - mean) ** 2 for r in returns) / 6)
    assert stats["sharpe_ratio"] == pytest.approx(mean / std * math.sqrt(365 * 24 * 60))


def test_equity_curve_is_downsampled_for_storage():
    out = run(scripted(long_at={3}), flat_candles(5000), curve_points=200)
    assert len(out.equity) == 5000 and 2 <= len(out.equity_curve) <= 200
    assert out.equity_curve[0]["time"] == "2025-01-01T00:00:00Z"


def test_strategy_exceptions_are_counted_with_line():
    class Broken(Strategy):
        def should_long(self):
            if len(self.candles) == 3:
                raise ZeroDivisionError("division by zero")
            return False

    out = run(Broken, flat_candles(5))
    assert out.errors_count == 1
    assert "ZeroDivisionError" in out.errors[0]["message"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"initial_amount": 0}, "montant"),
    ({"initial_amount": 100, "fee_rate": 1.5}, "frais"),
    ({"initial_amount": 100, "mode": "turbo"}, "Mode inconnu"),
])
def test_invalid_parameters_raise_french_errors(kwargs, message):
    with pytest.raises(BacktestError, match=message):
        run_backtest(scripted(), flat_candles(3), **kwargs)


def test_invalid_candles_and_code_raise_french_errors():
    with pytest.raises(BacktestError, match="Colonnes manquantes"):
        run_backtest(scripted(), flat_candles(3).drop(columns="low"), initial_amount=100)
    doubled = flat_candles(3)
    doubled.index = doubled.index[[0, 1, 1]]
    with pytest.raises(BacktestError, match="en double"):
        run_backtest(scripted(), doubled, initial_amount=100)
    with pytest.raises(BacktestError, match="syntaxe"):
        run_backtest("class X(Strategy):\n  def f(:\n", flat_candles(3), initial_amount=100)
