"""Bougies de la table partagée : trous par exchange, téléchargement idempotent et reprenable,
lecture COPY, regroupement pour le graphique."""

from __future__ import annotations

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async

from apps.core.services.ccxt_manager import public_exchange_get
from apps.core.tests.exchange_fixtures import exchange_cleanup, sim  # noqa: F401
from apps.market_data.candle_download import candles_download
from apps.market_data.candle_store import (
    candles_arrays,
    candles_chart,
    candles_count,
    candles_missing_ranges,
    candles_store,
)
from apps.market_data.models import Candle

pytestmark = pytest.mark.django_db(transaction=True)

MINUTE = 60_000


def _period(minutes: int) -> tuple[int, int, int]:
    now = int(time.time() * 1000)
    end = now - now % MINUTE - 10 * MINUTE
    return end - minutes * MINUTE, end, now


def _rows(start: int, count: int, step: int = MINUTE, price: float = 100.0) -> list[list[float]]:
    return [[start + i * step, price, price + 1, price - 1, price + 0.5, 2.0] for i in range(count)]


async def _count(exchange: str = "binance", timeframe: str = "1m") -> int:
    return await Candle.objects.filter(exchange=exchange, symbol="BTC/USDT", timeframe=timeframe).acount()


async def _spy(calls: list[int]):  # noqa: ANN202
    exchange = await public_exchange_get(exchange_id="binance")
    original = exchange.fetch_ohlcv

    async def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(kwargs.get("since"))
        return await original(*args, **kwargs)

    exchange.fetch_ohlcv = counting
    return exchange


async def test_download_is_idempotent_and_stores_closed_candles_once(sim) -> None:  # noqa: F811
    start, end, now = _period(2500)
    calls: list[int] = []
    await _spy(calls)
    seen: list[tuple[int, int]] = []
    report = await candles_download(exchange_id="binance", symbol="btc-usdt", timeframe="1m",
                                    start_ms=start, end_ms=end, progress_cb=lambda d, t: seen.append((d, t)))
    assert report.symbol == "BTC/USDT" and report.missing == report.stored == report.fetched == 2500
    assert report.pages == len(calls) == 3
    assert seen[0] == (0, 2500) and seen[-1] == (2500, 2500)
    assert await _count() == 2500
    again = await candles_download(exchange_id="binance", symbol="BTC/USDT", timeframe="1m",
                                   start_ms=start, end_ms=end)
    assert (again.missing, again.fetched, again.stored, again.pages) == (0, 0, 0, 0)
    assert len(calls) == 3 and await _count() == 2500
    # Réécrire les mêmes lignes ne crée aucun doublon.
    rows = [[r, 1.0, 1.0, 1.0, 1.0, 1.0] for r in range(start, start + 5 * MINUTE, MINUTE)]
    assert await sync_to_async(candles_store)(exchange="binance", symbol="BTC/USDT", timeframe="1m",
                                              rows=rows) == 0


async def test_interrupted_download_resumes_where_it_stopped(sim) -> None:  # noqa: F811
    start, end, _ = _period(5000)
    calls: list[int] = []
    await _spy(calls)
    two_pages = asyncio.Event()

    def progress(done: int, total: int) -> None:
        if done >= 2000:
            two_pages.set()

    task = asyncio.create_task(candles_download(exchange_id="binance", symbol="BTC/USDT",
                                                timeframe="1m", start_ms=start, end_ms=end,
                                                progress_cb=progress))
    await two_pages.wait()
    task.cancel()  # bouton Stop
    with pytest.raises(asyncio.CancelledError):
        await task
    stored = await _count()
    assert stored in (2000, 3000)
    first_run = len(calls)
    report = await candles_download(exchange_id="binance", symbol="BTC/USDT", timeframe="1m",
                                    start_ms=start, end_ms=end)
    assert report.missing == 5000 - stored
    assert all(since >= start + stored * MINUTE for since in calls[first_run:])  # pages stockées sautées
    assert await _count() == 5000
    arrays = await sync_to_async(candles_arrays)(exchange="binance", symbol="BTC/USDT", timeframe="1m",
                                                 start_ms=start, end_ms=end)
    opens = arrays["timestamp"] // 1_000_000
    assert len(opens) == 5000 and (opens[1:] - opens[:-1] == MINUTE).all()


async def test_another_exchange_candles_are_never_used(sim) -> None:  # noqa: F811
    start, end, now = _period(300)
    # Une autre place a déjà toute la période, à des prix absurdes.
    await sync_to_async(candles_store)(exchange="kraken", symbol="BTC/USDT", timeframe="1m",
                                       rows=_rows(start, 300, price=1.0))
    gaps = await sync_to_async(candles_missing_ranges)(exchange="binance", symbol="BTC/USDT",
                                                       timeframe="1m", start_ms=start, end_ms=end,
                                                       now_ms=now)
    assert gaps == [(start, end)]
    report = await candles_download(exchange_id="binance", symbol="BTC/USDT", timeframe="1m",
                                    start_ms=start, end_ms=end)
    assert report.stored == 300
    arrays = await sync_to_async(candles_arrays)(exchange="binance", symbol="BTC/USDT", timeframe="1m",
                                                 start_ms=start, end_ms=end)
    assert len(arrays["close"]) == 300 and arrays["close"].min() > 1_000  # prix du simulateur
    assert await _count("kraken") == 300


async def test_holes_inside_stored_candles_are_the_only_missing_ranges(sim) -> None:  # noqa: F811
    start, end, now = _period(100)
    rows = _rows(start, 100)
    del rows[40:55]
    del rows[80:]  # les 5 dernières (95 à 99)
    await sync_to_async(candles_store)(exchange="binance", symbol="BTC/USDT", timeframe="1m", rows=rows)
    gaps = await sync_to_async(candles_missing_ranges)(exchange="binance", symbol="BTC/USDT",
                                                       timeframe="1m", start_ms=start - 30_000,
                                                       end_ms=end, now_ms=now)
    assert gaps == [(start + 40 * MINUTE, start + 55 * MINUTE), (start + 95 * MINUTE, end)]
    report = await candles_download(exchange_id="binance", symbol="BTC/USDT", timeframe="1m",
                                    start_ms=start, end_ms=end)
    assert report.missing == report.stored == 20 and await _count() == 100


async def test_10m_candles_are_built_from_minutes_and_grouped_for_charts(sim) -> None:  # noqa: F811
    step = 10 * MINUTE
    now = int(time.time() * 1000)
    end = now - now % step - step
    start = end - 300 * step
    report = await candles_download(exchange_id="binance", symbol="BTC/USDT", timeframe="10m",
                                    start_ms=start, end_ms=end)
    assert report.stored == 300 and report.pages == 3  # 1 000 minutes par page
    assert await sync_to_async(candles_count)(exchange="binance", symbol="BTC/USDT", timeframe="10m",
                                              start_ms=start, end_ms=end) == 300
    chart = await sync_to_async(candles_chart)(exchange="binance", symbol="BTC/USDT", timeframe="10m",
                                               start_ms=start, end_ms=end, max_points=100)
    bucket = chart["bucket_seconds"] * 1000
    assert chart["aggregated"] and bucket % step == 0 and len(chart["candles"]) <= 100
    first = chart["candles"][0]
    first_end = first[0] * 1000 + bucket
    assert first[0] * 1000 == start - start % bucket
    arrays = await sync_to_async(candles_arrays)(exchange="binance", symbol="BTC/USDT", timeframe="10m",
                                                 start_ms=start, end_ms=first_end)
    assert first[1] == pytest.approx(arrays["open"][0]) and first[4] == pytest.approx(arrays["close"][-1])
    assert first[2] == pytest.approx(arrays["high"].max()) and first[3] == pytest.approx(arrays["low"].min())
    native = await sync_to_async(candles_chart)(exchange="binance", symbol="BTC/USDT", timeframe="10m",
                                                start_ms=start, end_ms=end, max_points=300)
    assert not native["aggregated"] and len(native["candles"]) == 300 and native["bucket_seconds"] == 600
