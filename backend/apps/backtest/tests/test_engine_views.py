"""Vues « bougies jusqu'à i » : mêmes résultats que la vraie tranche pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from apps.backtest.engine.views import Cursor, TurboFrameView, TurboILoc, make_views
from apps.backtest.tests.factories import random_candles


@pytest.fixture
def frame():
    candles = random_candles(50, seed=2)
    candles["ema"] = candles["close"].ewm(span=5).mean()
    return candles


@pytest.fixture
def views(frame):
    cursor = Cursor()
    turbo, safe = make_views(frame, cursor)
    cursor.end = 20
    return cursor, turbo, safe


@pytest.mark.parametrize("which", ["turbo", "safe"])
def test_views_behave_like_the_prefix_slice(frame, views, which):
    cursor, turbo, safe = views
    view, real = (turbo if which == "turbo" else safe), frame.iloc[:20]
    assert isinstance(view, pd.DataFrame) and isinstance(view["close"], pd.Series)
    assert len(view) == 20 and list(view.columns) == list(real.columns)
    assert view["ema"].iloc[-1] == real["ema"].iloc[-1] and type(view["ema"].iloc[-1]) is np.float64
    assert view.close.iloc[0] == real["close"].iloc[0]
    pd.testing.assert_series_equal(view["close"].iloc[-5:], real["close"].iloc[-5:])
    pd.testing.assert_frame_equal(view.iloc[-3:], real.iloc[-3:])
    pd.testing.assert_series_equal(view.iloc[-1], real.iloc[-1])
    assert view["close"].values.tolist() == real["close"].values.tolist()
    assert view.index.equals(real.index) and view["close"].index.equals(real.index)
    assert view["close"].mean() == real["close"].mean()
    assert np.log(view["close"]).equals(np.log(real["close"]))
    assert (view["close"] > view["ema"]).equals(real["close"] > real["ema"])
    assert view.tail(2).equals(real.tail(2)) and view.shape == real.shape
    with pytest.raises(IndexError):
        view["close"].iloc[-21]
    with pytest.raises(KeyError):
        view["absent"]


def test_safe_view_accepts_any_pandas_key(frame, views):
    _cursor, _turbo, safe = views
    real = frame.iloc[:20]
    assert safe[["high", "low"]].equals(real[["high", "low"]])
    assert safe[-3:].equals(real[-3:])


def test_turbo_view_raises_on_unhashable_keys_and_slices(views):
    cursor, turbo, _safe = views
    assert isinstance(turbo, TurboFrameView)
    with pytest.raises(TypeError):
        turbo[["high", "low"]]
    column = turbo["close"]
    for _ in range(70):  # lectures répétées : la colonne passe en deque
        column.iloc[-1]
    assert isinstance(column.iloc, TurboILoc) and len(column.iloc) == cursor.end
    with pytest.raises(TypeError):
        column.iloc[-3:]


@pytest.mark.parametrize("which", ["turbo", "safe"])
def test_writes_use_a_copy_for_the_current_candle_only(frame, views, which):
    cursor, turbo, safe = views
    view = turbo if which == "turbo" else safe
    view["double"] = view["close"] * 2
    assert view["double"].iloc[-1] == frame["close"].iloc[19] * 2
    assert "double" not in frame.columns
    cursor.clean()
    cursor.end = 21
    assert "double" not in view.columns and len(view["close"]) == 21
