"""Agrégateur pur : comparaison avec un rééchantillonnage pandas indépendant, alignement, rejeu."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from apps.core.timeframes import TIMEFRAME_MINUTES, TIMEFRAMES
from apps.heartbeat.aggregator import (
    Candle,
    CandleAggregator,
    Kline,
    MalformedMessage,
    ServerShutdown,
    kline_from_ohlcv,
    parse_stream_message,
    signal_is_due,
)
from apps.heartbeat.tests.heartbeat_factories import (
    MINUTE,
    T0,
    combined,
    kline_messages,
    kline_payload,
    ohlcv_row,
)

SYMBOL = "BTCUSDT"


def _feed_messages(agg: CandleAggregator, messages: list[str]) -> list[Candle]:
    out: list[Candle] = []
    for raw in messages:
        event = parse_stream_message(json.loads(raw))
        if isinstance(event, Kline):
            out.extend(agg.feed(event))
    return out


def _pandas_reference(messages: list[str], tf: str) -> pd.DataFrame:
    """Agrégation indépendante : resample pandas, origine = époque Unix, seaux fermés à gauche."""
    rows = []
    for raw in messages:
        k = json.loads(raw)["data"]["k"]
        if k["x"]:
            rows.append({"t": pd.Timestamp(k["t"], unit="ms", tz="UTC"), "o": float(k["o"]),
                         "h": float(k["h"]), "l": float(k["l"]), "c": float(k["c"]),
                         "v": float(k["v"]), "n": 1})
    frame = pd.DataFrame(rows).set_index("t")
    agg = frame.resample(f"{TIMEFRAME_MINUTES[tf]}min", origin="epoch", label="left",
                         closed="left").agg({"o": "first", "h": "max", "l": "min", "c": "last",
                                             "v": "sum", "n": "sum"})
    return agg[agg["n"] > 0]


def _as_frame(candles: list[Candle], tf: str) -> pd.DataFrame:
    rows = [{"t": pd.Timestamp(c.open_time, unit="ms", tz="UTC"), "o": float(c.open),
             "h": float(c.high), "l": float(c.low), "c": float(c.close), "v": float(c.volume),
             "n": c.minutes} for c in candles if c.timeframe == tf]
    return pd.DataFrame(rows).set_index("t")


@pytest.mark.parametrize("skip", [set(), {17, 18, 19, 300, 301, 1439, 2000}])
def test_every_timeframe_matches_an_independent_pandas_resample(skip: set[int]) -> None:
    # Démarre 7 minutes après une frontière de 4 h : les premiers seaux sont partiels.
    start = T0 + 7 * MINUTE
    messages = kline_messages(SYMBOL, start, 2 * 1440 + 13, skip=skip, with_open=True)
    candles = _feed_messages(CandleAggregator(), messages)
    last_open = start + (2 * 1440 + 12) * MINUTE
    for tf in TIMEFRAMES:
        tf_ms = TIMEFRAME_MINUTES[tf] * MINUTE
        ref = _pandas_reference(messages, tf)
        first_ms = start if tf == "1m" else start - start % tf_ms + (tf_ms if start % tf_ms else 0)
        ref = ref[(ref.index >= pd.Timestamp(first_ms, unit="ms", tz="UTC"))
                  & (ref.index + pd.Timedelta(milliseconds=tf_ms)
                     <= pd.Timestamp(last_open + MINUTE, unit="ms", tz="UTC"))]
        got = _as_frame(candles, tf)
        assert list(got.index) == list(ref.index), tf
        pd.testing.assert_frame_equal(got[["o", "h", "l", "c", "v"]], ref[["o", "h", "l", "c", "v"]],
                                      check_exact=False, rtol=1e-12, check_freq=False)
        assert (got["n"] == ref["n"]).all(), tf


def test_ten_minute_buckets_are_epoch_aligned_and_close_on_their_last_minute() -> None:
    agg = CandleAggregator()
    agg.prime(SYMBOL, T0)
    out: list[Candle] = []
    for i in range(60):
        produced = agg.feed(parse_stream_message(combined(kline_payload(SYMBOL, T0 + i * MINUTE))))
        tfs = {c.timeframe for c in produced}
        assert ("10m" in tfs) == ((i + 1) % 10 == 0)
        out.extend(produced)
    ten = [c for c in out if c.timeframe == "10m"]
    assert [c.open_time for c in ten] == [T0 + i * 600_000 for i in range(6)]
    assert all(c.open_time % 600_000 == 0 and c.close_time == c.open_time + 600_000 - 1
               for c in ten)
    assert all(c.complete and not c.backfilled for c in ten)
    hour = [c for c in out if c.timeframe == "1h"]
    assert len(hour) == 1 and hour[0].close_time == T0 + 3_600_000 - 1


def test_replaying_the_same_messages_gives_the_same_candles_and_no_duplicates() -> None:
    messages = kline_messages(SYMBOL, T0, 600, with_open=True)
    first = CandleAggregator()
    candles = _feed_messages(first, messages)
    assert _feed_messages(first, messages) == []  # rejeu dans le même processus : rien de neuf
    assert _feed_messages(CandleAggregator(), messages) == candles  # déterministe
    keys = [c.key for c in candles]
    assert len(keys) == len(set(keys))


def test_bucket_whose_first_minutes_were_not_seen_is_not_emitted() -> None:
    agg = CandleAggregator()  # amorcé sur la première minute vue : 00:02
    out = []
    for i in range(2, 10):
        out += agg.feed(kline_from_ohlcv(SYMBOL, ohlcv_row(kline_payload(SYMBOL, T0 + i * MINUTE))))
    # 00:00–00:03 (3m) et 00:00–00:05 (5m) ont commencé avant 00:02 : jamais émis.
    assert {c.timeframe for c in out} == {"1m", "3m", "5m"}
    assert [c.open_time for c in out if c.timeframe == "3m"] == [T0 + 3 * MINUTE, T0 + 6 * MINUTE]
    assert [c.open_time for c in out if c.timeframe == "5m"] == [T0 + 5 * MINUTE]
    assert all(c.backfilled for c in out)


def test_bucket_missing_its_last_minutes_is_closed_by_the_next_bucket() -> None:
    agg = CandleAggregator()
    agg.prime(SYMBOL, T0)
    for i in range(2):
        assert all(c.timeframe == "1m" for c in agg.feed(
            parse_stream_message(kline_payload(SYMBOL, T0 + i * MINUTE))))
    out = agg.feed(parse_stream_message(kline_payload(SYMBOL, T0 + 6 * MINUTE)))
    flushed = [c for c in out if c.timeframe != "1m"]
    assert {(c.timeframe, c.open_time, c.minutes) for c in flushed} == {
        ("3m", T0, 2), ("5m", T0, 2)}
    assert not any(c.complete for c in flushed)
    assert [c.timeframe for c in out][-1] == "1m"  # la minute courante après les seaux soldés


def test_open_duplicate_and_older_klines_are_ignored() -> None:
    agg = CandleAggregator()
    assert agg.feed(parse_stream_message(kline_payload(SYMBOL, T0, closed=False))) == []
    assert len(agg.feed(parse_stream_message(kline_payload(SYMBOL, T0 + MINUTE)))) == 1
    assert agg.feed(parse_stream_message(kline_payload(SYMBOL, T0 + MINUTE))) == []
    assert agg.feed(parse_stream_message(kline_payload(SYMBOL, T0))) == []
    assert agg.last_open_time(SYMBOL) == T0 + MINUTE


def test_symbols_are_aggregated_independently() -> None:
    agg = CandleAggregator()
    agg.prime("BTCUSDT", T0)
    agg.prime("ETHUSDT", T0)
    out = []
    for i in range(3):
        for symbol in ("BTCUSDT", "ETHUSDT"):
            out += agg.feed(parse_stream_message(kline_payload(symbol, T0 + i * MINUTE)))
    three = [c for c in out if c.timeframe == "3m"]
    assert sorted(c.symbol for c in three) == ["BTCUSDT", "ETHUSDT"]


def test_messages_are_parsed_in_combined_and_raw_form() -> None:
    payload = kline_payload(SYMBOL, T0)
    a = parse_stream_message(combined(payload))
    b = parse_stream_message(payload)
    assert isinstance(a, Kline) and a == b and a.closed and a.open_time == T0
    assert str(a.open) == payload["k"]["o"] and a.trades == payload["k"]["n"]
    assert parse_stream_message({"e": "serverShutdown", "E": 5}) == ServerShutdown(5)
    assert isinstance(parse_stream_message({"stream": "x", "data": {"e": "serverShutdown"}}),
                      ServerShutdown)
    assert parse_stream_message({"e": "trade", "p": "1"}) is None
    assert parse_stream_message({"result": None, "id": 1}) is None


def _broken(mutate) -> dict:  # noqa: ANN001
    payload = kline_payload(SYMBOL, T0)
    mutate(payload)
    return combined(payload)


@pytest.mark.parametrize(
    "message",
    [
        [1, 2, 3],
        "texte",
        {"stream": "btcusdt@kline_1m", "data": None},
        {"e": "mystere"},
        {"no_event": True},
        _broken(lambda p: p.pop("k")),
        _broken(lambda p: p["k"].update(o="abc")),
        _broken(lambda p: p["k"].update(h=None)),
        _broken(lambda p: p["k"].update(c="-5")),
        _broken(lambda p: p["k"].update(t="123")),
        _broken(lambda p: p["k"].update(t=T0 + 1)),
        _broken(lambda p: p["k"].update(i="5m")),
        _broken(lambda p: p["k"].update(x="true")),
        _broken(lambda p: p["k"].update(h="1", l="2")),
        _broken(lambda p: (p["k"].pop("s"), p.pop("s"))),
    ],
)
def test_malformed_or_unknown_messages_raise_malformed(message: object) -> None:
    with pytest.raises(MalformedMessage):
        parse_stream_message(message)


def test_signal_is_due_only_for_the_latest_recent_candle_of_its_timeframe() -> None:
    agg = CandleAggregator()
    agg.prime(SYMBOL, T0)
    candles = []
    for i in range(5):
        candles += agg.feed(parse_stream_message(kline_payload(SYMBOL, T0 + i * MINUTE)))
    five = next(c for c in candles if c.timeframe == "5m")
    last_1m = candles[-2]
    closed_at = T0 + 5 * MINUTE
    assert signal_is_due(last_1m, closed_at + 500, 120_000)
    assert not signal_is_due(last_1m, closed_at + MINUTE + 1, 120_000)  # la suivante est close
    assert signal_is_due(five, closed_at + 110_000, 120_000)
    assert not signal_is_due(five, closed_at + 130_000, 120_000)  # trop tard : pas de trading
