"""Trades sous forme compacte (réponse de l'enfant : blocs binaires, dates déduites par le parent) :
relus exactement comme les lignes, et refusés au moindre écart."""

from __future__ import annotations

import base64
import copy

import numpy as np
import pytest

from apps.backtest.engine import run_backtest
from apps.backtest.engine.trades import PACKED_INDEXES, PACKED_NUMBERS
from apps.backtest.results import TRADE_FIELDS, _row, output_clean
from apps.backtest.tests.factories import random_candles
from apps.strategies.runtime.sandbox.frames import decode, encode
from apps.strategies.templates import SPEC_EMA_CROSS_EXAMPLE


def _wire(output: dict) -> dict:
    """Aller-retour par le vrai encodage des trames (orjson), comme depuis l'enfant."""
    return decode(encode({"type": "result", "output": output})[8:])["output"]


@pytest.fixture(scope="module")
def run():  # noqa: ANN201
    candles = random_candles(4000, seed=11, freq="1min")
    return candles, run_backtest(SPEC_EMA_CROSS_EXAMPLE, candles, initial_amount=10_000)


def test_packed_reads_exactly_like_rows(run) -> None:  # noqa: ANN001
    candles, out = run
    rows = output_clean(_wire(out.to_dict()))
    packed = output_clean(_wire(out.to_dict(packed=True)), stamps=candles.index.asi8)
    assert len(out.trades) > 20 and packed == rows
    assert list(packed["trades"][0]) == list(TRADE_FIELDS)


def test_row_keys_follow_trade_fields() -> None:
    assert list(_row(*range(len(TRADE_FIELDS)))) == list(TRADE_FIELDS)
    assert list(_row(*range(len(TRADE_FIELDS))).values()) == list(range(len(TRADE_FIELDS)))


def test_unsorted_candles_of_the_parent_still_give_the_right_dates(run) -> None:  # noqa: ANN001
    candles, out = run
    shuffled = np.random.default_rng(3).permutation(candles.index.asi8)
    packed = output_clean(_wire(out.to_dict(packed=True)), stamps=shuffled)
    assert packed["trades"] == output_clean(_wire(out.to_dict()))["trades"]


def _packed(out, **changes) -> dict:  # noqa: ANN001
    output = _wire(out.to_dict(packed=True))
    output["trades"]["packed"].update(changes)
    return output


def _blob(values: np.ndarray) -> str:
    return base64.b64encode(values.tobytes()).decode("ascii")


def test_nan_and_infinite_numbers_become_none_like_json(run) -> None:  # noqa: ANN001
    candles, out = run
    n = len(out.trades)
    floats = np.full((len(PACKED_NUMBERS), n), 1.5)
    floats[0, 0], floats[1, 1], floats[2, 2] = np.nan, np.inf, -np.inf
    trades = output_clean(_packed(out, floats=_blob(floats)), stamps=candles.index.asi8)["trades"]
    assert trades[0]["entry_price"] is None and trades[1]["exit_price"] is None
    assert trades[2]["qty"] is None and trades[3]["qty"] == 1.5


@pytest.mark.parametrize("change", [
    {"floats": "pas du base64 !"},
    {"floats": ""},  # longueur fausse
    {"indexes": base64.b64encode(b"\0" * 7).decode()},
    {"n": 10**12},
    {"n": -1},
    {"n": "3"},
    {"exit_reason": ["<script>"]},
    {"exit_reason": "signal"},
    {"floats": None},
])
def test_malformed_packed_trades_are_refused(run, change) -> None:  # noqa: ANN001
    candles, out = run
    with pytest.raises(ValueError):
        output_clean(_packed(out, **change), stamps=candles.index.asi8)


@pytest.mark.parametrize(("entry", "exit_"), [(-1, 5), (0, 4000), (4000, -1), (0, -2), (2**62, 3)])
def test_indexes_outside_the_candles_are_refused(run, entry, exit_) -> None:  # noqa: ANN001
    candles, out = run
    n = len(out.trades)
    indexes = np.array([[entry] * n, [exit_] * n], dtype="<i8")
    with pytest.raises(ValueError):
        output_clean(_packed(out, indexes=_blob(indexes)), stamps=candles.index.asi8)


def test_packed_trades_without_the_parent_candles_are_refused(run) -> None:  # noqa: ANN001
    _candles, out = run
    with pytest.raises(ValueError):
        output_clean(_wire(out.to_dict(packed=True)))


def test_an_oversized_blob_is_refused_before_decoding(run) -> None:  # noqa: ANN001
    candles, out = run
    output = copy.deepcopy(_wire(out.to_dict(packed=True)))
    output["trades"]["packed"]["floats"] += "AAAA" * 1000
    with pytest.raises(ValueError):
        output_clean(output, stamps=candles.index.asi8)


def test_packed_column_order_is_the_one_read_back() -> None:
    assert TRADE_FIELDS[3:3 + len(PACKED_NUMBERS)] == PACKED_NUMBERS
    assert TRADE_FIELDS[-2:] == PACKED_INDEXES
