"""Bougies OHLCV paginées contre le simulateur : contiguës, sans doublon, clôturées ; 10m construit."""

from __future__ import annotations

import time

import pytest

from apps.core.exceptions import AristobotError
from apps.core.services.ccxt_manager import public_exchange_get
from apps.core.services.ohlcv import ohlcv_aggregate, ohlcv_fetch
from apps.core.tests.exchange_fixtures import exchange_cleanup, sim  # noqa: F401

MINUTE = 60_000


def _now_minute() -> int:
    now = int(time.time() * 1000)
    return now - now % MINUTE


def _assert_contiguous(rows: list[list], step: int) -> None:
    opens = [row[0] for row in rows]
    assert len(opens) == len(set(opens)), "doublons"
    assert all(b - a == step for a, b in zip(opens, opens[1:], strict=False)), "trou"


async def test_5000_minutes_are_fetched_by_pages_without_gap_or_duplicate(sim) -> None:  # noqa: F811
    exchange = await public_exchange_get(exchange_id="binance")
    calls = []
    original = exchange.fetch_ohlcv

    async def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(kwargs.get("since"))
        return await original(*args, **kwargs)

    exchange.fetch_ohlcv = counting
    until = _now_minute()
    since = until - 5000 * MINUTE
    rows = await ohlcv_fetch(exchange_id="binance", symbol="BTC/USDT", timeframe="1m",
                             since_ms=since, until_ms=until)
    assert len(rows) == 5000
    assert rows[0][0] == since and rows[-1][0] == until - MINUTE
    _assert_contiguous(rows, MINUTE)
    assert len(calls) == 5  # pages de 1000
    assert all(len(row) == 6 and row[2] >= max(row[1], row[4]) >= min(row[1], row[4]) >= row[3]
               for row in rows)


async def test_only_closed_candles_are_returned(sim) -> None:  # noqa: F811
    now = int(time.time() * 1000)
    rows = await ohlcv_fetch(exchange_id="binance", symbol="ETH/USDT", timeframe="1m",
                             since_ms=now - 30 * MINUTE)
    assert rows and all(row[0] + MINUTE <= int(time.time() * 1000) for row in rows)
    assert rows[-1][0] >= now - now % MINUTE - 2 * MINUTE  # jusqu'à la dernière bougie clôturée
    _assert_contiguous(rows, MINUTE)


async def test_10m_is_built_from_1m_in_epoch_aligned_buckets(sim) -> None:  # noqa: F811
    step = 10 * MINUTE
    end = _now_minute() - _now_minute() % step
    since = end - 600 * step + 3 * MINUTE  # début non aligné : on part du seau suivant
    rows = await ohlcv_fetch(exchange_id="binance", symbol="BTC/USDT", timeframe="10m",
                             since_ms=since, until_ms=end)
    assert len(rows) == 599
    assert all(row[0] % step == 0 for row in rows)
    _assert_contiguous(rows, step)
    five = await ohlcv_fetch(exchange_id="binance", symbol="BTC/USDT", timeframe="5m",
                             since_ms=rows[0][0], until_ms=end)
    rebuilt = ohlcv_aggregate(five, bucket_ms=step)
    assert [r[0] for r in rebuilt] == [r[0] for r in rows]
    for mine, ref in zip(rows, rebuilt, strict=True):
        assert mine[1:5] == ref[1:5]
        assert mine[5] == pytest.approx(ref[5], rel=1e-9)


def test_aggregation_takes_first_open_extremes_last_close_and_summed_volume() -> None:
    minutes = [[600_000 + i * MINUTE, 10 + i, 20 + i, 5 + i, 11 + i, 1.5] for i in range(12)]
    buckets = ohlcv_aggregate(minutes, bucket_ms=600_000)
    assert buckets[0] == [600_000, 10, 29, 5, 20, 15.0]
    assert buckets[1] == [1_200_000, 20, 31, 15, 22, 3.0]


async def test_unknown_timeframe_or_symbol_is_refused_in_french(sim) -> None:  # noqa: F811
    now = _now_minute()
    with pytest.raises(AristobotError, match="Unité de temps invalide"):
        await ohlcv_fetch(exchange_id="binance", symbol="BTC/USDT", timeframe="7x", since_ms=now - MINUTE)
    with pytest.raises(AristobotError, match="Symbole inconnu sur Binance : FOO/USDT"):
        await ohlcv_fetch(exchange_id="binance", symbol="FOO/USDT", timeframe="1m", since_ms=now - MINUTE)
