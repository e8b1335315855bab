"""Simulateur Binance : modèle de marché déterministe, horloge et agrégation des bougies."""

from __future__ import annotations

import time

import numpy as np

from exchange_simulator.candles import CandleBuilder, bucket_open, select_opens
from exchange_simulator.clock import SimClock
from exchange_simulator.market import MINUTE_MS, MarketModel
from exchange_simulator.symbols import DEFAULT_SYMBOLS

NOW = 29_926_666 * 60_000 + 37_500  # instant fixe (nov. 2026), 37,5 s après le début de la minute
SYMBOLS = {name: DEFAULT_SYMBOLS[name] for name in ("BTCUSDT", "ETHUSDT", "ETHBTC")}


def test_minutes_are_a_pure_function_of_seed_symbol_and_minute() -> None:
    first, second = MarketModel(7, SYMBOLS), MarketModel(7, SYMBOLS)
    minute = NOW // MINUTE_MS
    wide = first.minutes("BTCUSDT", minute - 5_000, 5_000)
    # Calcul dans l'autre sens et par morceaux : mêmes valeurs.
    tail = second.minutes("BTCUSDT", minute - 100, 100)
    for key in ("open", "high", "low", "close", "volume"):
        np.testing.assert_allclose(wide[key][-100:], tail[key], rtol=1e-12)
    other_seed = MarketModel(8, SYMBOLS).minutes("BTCUSDT", minute - 100, 100)
    assert not np.allclose(other_seed["close"], tail["close"])


def test_candles_are_coherent_and_prices_realistic() -> None:
    model = MarketModel(42, SYMBOLS)
    data = model.minutes("BTCUSDT", NOW // MINUTE_MS - 20_000, 20_000)
    assert np.all(data["high"] >= np.maximum(data["open"], data["close"]))
    assert np.all(data["low"] <= np.minimum(data["open"], data["close"]))
    np.testing.assert_allclose(data["open"][1:], data["close"][:-1])  # ouverture = clôture précédente
    assert 30_000 < data["close"].min() < data["close"].max() < 120_000
    returns = np.diff(np.log(data["close"]))
    assert 0.0002 < returns.std() < 0.003  # ~0,08 % par minute pour 55 % de volatilité annuelle


def test_intra_minute_ticks_hit_the_candle_extremes() -> None:
    model = MarketModel(42, SYMBOLS)
    minute = NOW // MINUTE_MS
    ticks = model.tick_prices("ETHUSDT", minute * 60, 60)
    candle = model.minutes("ETHUSDT", minute, 1)
    assert ticks[0] == candle["open"][0] and ticks[-1] == candle["close"][0]
    assert ticks.max() == candle["high"][0] and ticks.min() == candle["low"][0]
    np.testing.assert_array_equal(ticks, MarketModel(42, SYMBOLS).tick_prices("ETHUSDT", minute * 60, 60))


def test_forced_price_applies_from_now_and_keeps_the_past() -> None:
    model = MarketModel(3, SYMBOLS)
    before = model.minutes("BTCUSDT", NOW // MINUTE_MS - 10, 10)
    model.force_price("BTCUSDT", 12_345.67, NOW)
    assert model.price_at("BTCUSDT", NOW) == 12_345.67
    assert abs(model.price_at("BTCUSDT", NOW + 5_000) / 12_345.67 - 1) < 0.01  # la marche reprend
    after = model.minutes("BTCUSDT", NOW // MINUTE_MS - 10, 10)
    np.testing.assert_array_equal(before["close"], after["close"])
    model.force_price("BTCUSDT", 100.0, NOW + 10_000, freeze=True)
    assert model.price_at("BTCUSDT", NOW + 600_000) == 100.0
    current = model.minutes("BTCUSDT", NOW // MINUTE_MS, 1)
    assert current["low"][0] == 100.0 and current["close"][0] == 100.0


def test_aggregated_intervals_match_the_one_minute_series() -> None:
    builder = CandleBuilder(MarketModel(42, SYMBOLS))
    five = builder.klines("BTCUSDT", "5m", None, None, 3, NOW)
    ones = builder.klines("BTCUSDT", "1m", five[0][0], None, 15, NOW)
    for i, row in enumerate(five[:2]):
        group = ones[i * 5 : i * 5 + 5]
        assert row[1] == group[0][1] and row[4] == group[-1][4]
        assert float(row[2]) == max(float(r[2]) for r in group)
        assert float(row[3]) == min(float(r[3]) for r in group)
        assert abs(float(row[5]) - sum(float(r[5]) for r in group)) < 1e-6
        assert row[6] == row[0] + 5 * MINUTE_MS - 1


def test_klines_never_reach_the_future() -> None:
    builder = CandleBuilder(MarketModel(42, SYMBOLS))
    rows = builder.klines("BTCUSDT", "1m", None, None, 500, NOW)
    assert len(rows) == 500
    assert rows[-1][0] == NOW - NOW % MINUTE_MS  # la bougie en cours est incluse…
    assert rows[-1][8] == 38  # …avec seulement les ticks écoulées (37,5 s → 38 ticks)
    assert builder.klines("BTCUSDT", "1m", NOW + MINUTE_MS, None, 10, NOW) == []
    daily = builder.klines("BTCUSDT", "1d", None, None, 2, NOW)
    assert daily[-1][0] == bucket_open("1d", NOW) and daily[-1][0] % 86_400_000 == 0


def test_kline_selection_follows_binance_semantics() -> None:
    start = NOW - 100 * MINUTE_MS + 1  # non aligné : première bougie ouverte après
    opens = select_opens("1m", start, None, 10, NOW)
    assert opens[0] >= start and opens[0] - start < MINUTE_MS and len(opens) == 10
    end = NOW - 50 * MINUTE_MS
    opens = select_opens("1m", None, end, 5, NOW)
    assert opens[-1] <= end and len(opens) == 5
    assert select_opens("1w", None, None, 1, NOW)[0] % (7 * 86_400_000) == 4 * 86_400_000  # lundi
    month = select_opens("1M", None, None, 2, NOW)
    assert time.gmtime(month[0] / 1000).tm_mday == 1


def test_clock_runs_faster_with_speed() -> None:
    clock = SimClock(speed=100.0, anchor_ms=1_000_000)
    time.sleep(0.05)
    assert 1_000_000 + 4_000 <= clock.now_ms() < 1_000_000 + 60_000
    assert SimClock(speed=1.0).wall_seconds_until(0) == 0.0
