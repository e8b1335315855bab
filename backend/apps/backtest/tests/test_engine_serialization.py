"""Sérialisation rapide des résultats : même texte qu'avant (trades, dates), sur bougies aléatoires."""

from __future__ import annotations

import json

import orjson
import pytest

from apps.backtest.engine import run_backtest
from apps.backtest.engine.trades import iso_utc
from apps.backtest.tests.factories import random_candles
from apps.strategies.templates import SPEC_EMA_CROSS_EXAMPLE


@pytest.mark.parametrize(("seed", "freq"), [(1, "1min"), (2, "1h"), (3, "15min")])
def test_vectorised_trade_dicts_equal_per_trade_dicts(seed, freq):
    out = run_backtest(SPEC_EMA_CROSS_EXAMPLE, random_candles(3000, seed=seed, freq=freq),
                       initial_amount=10_000, fee_rate=0.001)
    assert out.trades
    assert out.to_dict()["trades"] == [t.to_dict() for t in out.trades]
    first = out.trades[0]
    assert out.to_dict()["trades"][0]["entry_time"] == iso_utc(first.entry_time)


def test_orjson_file_holds_the_same_values_as_json_dumps():
    out = run_backtest(SPEC_EMA_CROSS_EXAMPLE, random_candles(2000, seed=4, freq="1min"),
                       initial_amount=10_000, fee_rate=0.001).to_dict()
    text = json.dumps(out, ensure_ascii=False, indent=1)
    assert json.loads(orjson.dumps(out, option=orjson.OPT_INDENT_2)) == json.loads(text)


@pytest.mark.parametrize("value", [1.5, -0.0, 0.0, 1e308, 3, True, None, float("nan"), float("inf"),
                                   -float("inf"), "1.5", 10**400, [1.0]])
def test_result_numbers_are_read_as_before(value):
    """Le raccourci « flottant fini » de la relecture du résultat accepte et refuse comme avant."""
    from apps.backtest.results import _number
    from apps.strategies.runtime.sandbox.frames import finite

    try:
        before = None if value is None else finite(value)
        expected = ("ok", before) if value is None or before is not None else ("refus", None)
    except Exception:  # noqa: BLE001
        expected = ("refus", None)
    try:
        got = ("ok", _number(value))
    except ValueError:
        got = ("refus", None)
    assert got == expected
    if got[0] == "ok" and got[1] is not None:
        assert type(got[1]) is float
