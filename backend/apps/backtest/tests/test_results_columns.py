"""Trades en colonnes (réponse de l'enfant) : relus comme les trades en lignes, mêmes refus ;
CSV lu vite (types imposés, sans recherche de valeurs manquantes) : mêmes bougies qu'avant."""

from __future__ import annotations

import copy
import io

import numpy as np
import pandas as pd
import pytest

from apps.backtest.engine import BacktestError, run_backtest
from apps.backtest.engine.candles import prepare_candles, read_candles_csv
from apps.backtest.results import output_clean
from apps.backtest.tests.factories import random_candles
from apps.backtest.tests.test_backtest_sandbox import GOOD
from apps.strategies.templates import SPEC_EMA_CROSS_EXAMPLE


def columns_of(output: dict) -> dict:
    rows = output["trades"]
    return {**output, "trades": {key: [row[key] for row in rows] for key in rows[0]}}


def test_columns_read_like_rows_on_a_real_backtest() -> None:
    out = run_backtest(SPEC_EMA_CROSS_EXAMPLE, random_candles(3000, seed=5, freq="1min"),
                       initial_amount=10_000)
    rows, columns = out.to_dict(), out.to_dict(trade_columns=True)
    rows["equity_curve"] = columns["equity_curve"] = []
    assert out.trades and output_clean(columns) == output_clean(rows)


def test_columns_read_like_rows() -> None:
    assert output_clean(columns_of(GOOD)) == output_clean(GOOD)


@pytest.mark.parametrize(("key", "value"), [
    ("exit_reason", "<img src=x onerror=alert(1)>"), ("entry_time", "demain"), ("pnl", float("nan")),
    ("qty", True), ("amount", "1.5"), ("fee", 10 ** 400), ("exit_time", 5), ("exit_reason", ["x"]),
    ("entry_time", "2025-01-01T00:00:00Z\n2025-01-01T00:00:00Z"), ("exit_time", "2025-01-01T00:00:00"
                                                                    + "0" * 30 + "Z"),
    ("entry_time", ""),
])
def test_columns_refuse_what_rows_refuse(key, value) -> None:  # noqa: ANN001
    rows = copy.deepcopy(GOOD)
    rows["trades"][0][key] = value
    with pytest.raises(ValueError):
        output_clean(rows)
    with pytest.raises(ValueError):
        output_clean(columns_of(rows))


@pytest.mark.parametrize("mutate", [
    lambda t: t["pnl"].append(1.0),  # colonnes de longueurs différentes
    lambda t: t.pop("qty"),
    lambda t: t.update(entry_index="0"),
])
def test_malformed_columns_refused(mutate) -> None:  # noqa: ANN001
    output = columns_of(GOOD)
    mutate(output["trades"])
    with pytest.raises(ValueError):
        output_clean(output)


@pytest.mark.parametrize("value", ["2025-01-01T00:00:00Z\n", "2025-01-01T00:00:00+01:00",
                                   "2025-01-01T00:00:00.123", None])
def test_dates_read_like_rows(value) -> None:  # noqa: ANN001
    rows = copy.deepcopy(GOOD)
    rows["trades"][0]["exit_time"] = value
    rows["trades"].append({**rows["trades"][0], "entry_time": "2025-01-02T00:00:00Z"})
    assert output_clean(columns_of(rows)) == output_clean(rows)


def test_out_of_range_indexes_read_like_rows() -> None:
    rows = copy.deepcopy(GOOD)
    rows["trades"][0].update(entry_index=10 ** 30, exit_index=-5)
    assert output_clean(columns_of(rows)) == output_clean(rows)


HEADER = "open_time,open,high,low,close,volume\n1700000000000,1,2,0.5,1.5,3\n"


@pytest.mark.parametrize("row", [
    "1700000060000,1.25,2,0.5,1.5,7", "1700000060000,NaN,2,3,4,5", "1700000060000,,2,3,4,5",
    "1700000060000,1,2,0.5,1.5,", "1700000060000,1,2,0.5,1.5,NA", "1700000060000.0,1,2,0.5,1.5,5",
    "1700000060000,1,2,0.5,1.5,abc", "1700000060000,inf,2,0.5,1.5,5",
])
def test_fast_csv_reads_like_plain_pandas(row: str) -> None:
    text = HEADER + row + "\n"

    def outcome(read):  # noqa: ANN001
        try:
            return read()
        except BacktestError as exc:
            return exc.message

    plain = outcome(lambda: prepare_candles(pd.read_csv(io.StringIO(text))))
    fast = outcome(lambda: read_candles_csv(io.StringIO(text)))
    if isinstance(plain, str):
        assert fast == plain
    else:
        assert isinstance(fast, pd.DataFrame) and fast.equals(plain) and fast.index.equals(plain.index)


@pytest.mark.parametrize("row", [
    "1700000060000,1.25,2,0.5,1.5,7", "1700000060000,NaN,2,3,4,5", "1700000060000,,2,3,4,5",
    "1700000060000,1,2,0.5,1.5,", "1700000060000,1,2,0.5,1.5,NA", "1700000060000.0,1,2,0.5,1.5,5",
    "1700000060000,1,2,0.5,1.5,abc", "1700000060000,inf,2,0.5,1.5,5",
    "1699999940000,1,2,0.5,1.5,5", "1700000000000,1,2,0.5,1.5,5",  # désordre, doublon
])
def test_arrow_csv_reads_like_plain_pandas(row: str, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Gros fichier lu par pyarrow (seuil abaissé) : mêmes bougies, mêmes messages."""
    from apps.backtest.engine import candles

    path = tmp_path / "bougies.csv"
    path.write_text(HEADER.replace("open,", " Open,") + row + "\n")
    monkeypatch.setattr(candles, "ARROW_MIN_BYTES", 0)
    used = []
    real = candles._read_arrow
    monkeypatch.setattr(candles, "_read_arrow", lambda p: used.append(p) or real(p))

    def outcome(read):  # noqa: ANN001
        try:
            return read()
        except BacktestError as exc:
            return exc.message

    plain = outcome(lambda: prepare_candles(pd.read_csv(path).rename(columns=str.strip)
                                            .rename(columns=str.lower)))
    fast = outcome(lambda: read_candles_csv(path))
    assert used == [path]
    if isinstance(plain, str):
        assert fast == plain
    else:
        assert isinstance(fast, pd.DataFrame) and fast.equals(plain) and fast.index.equals(plain.index)


def test_arrow_reads_floats_exactly(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """pyarrow relit chaque réel écrit par `repr` à l'identique (pandas « high » : à 1 ulp près)."""
    from apps.backtest.engine import candles

    rng = np.random.default_rng(3)
    close = [float(c) for c in 30_000 * np.exp(np.cumsum(rng.normal(0, 0.001, 2_000)))]
    lines = ["open_time,open,high,low,close,volume"] + [
        f"{1_700_000_000_000 + 60_000 * i},{c!r},{c * 1.001!r},{c * 0.999!r},{c!r},1.5"
        for i, c in enumerate(close)]
    path = tmp_path / "bougies.csv"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(candles, "ARROW_MIN_BYTES", 0)
    frame = read_candles_csv(path)
    assert np.array_equal(frame["close"].to_numpy(), np.array(close))
    assert frame.index[1] - frame.index[0] == pd.Timedelta(minutes=1)


def test_prepared_candles_are_reused_without_copy_but_still_checked() -> None:
    prepared = prepare_candles(random_candles(500, seed=2, freq="1min"))
    same = prepare_candles(prepared, copy=False)
    assert same is prepared
    assert prepare_candles(prepared) is not prepared  # par défaut : une copie
    for column, value in (("close", np.nan), ("low", 0.0), ("high", np.inf), ("open", -1.0)):
        bad = prepared.copy()
        bad.iloc[123, bad.columns.get_loc(column)] = value
        with pytest.raises(BacktestError, match="Prix manquants"):
            prepare_candles(bad, copy=False)
    shuffled = prepared.iloc[::-1]
    assert prepare_candles(shuffled, copy=False).equals(prepared)
    doubled = pd.concat([prepared.iloc[:3], prepared.iloc[2:5]])
    with pytest.raises(BacktestError, match="en double"):
        prepare_candles(doubled, copy=False)
