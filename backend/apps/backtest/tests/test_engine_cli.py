"""Commande `run_backtest` : forme fichiers (sans base) et forme base de données."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.backtest.tests.factories import random_candles
from apps.strategies.templates import EMA_CROSS_EXAMPLE


def write_csv(path, candles) -> None:
    frame = candles.copy()
    frame.insert(0, "open_time", frame.index.asi8 // 1_000_000)
    frame.to_csv(path, index=False)


def test_cli_files_form_writes_json_without_database(tmp_path):
    # Pas de marqueur `db` : pytest-django refuserait tout accès à la base.
    strategy, csv, out = tmp_path / "s.py", tmp_path / "c.csv", tmp_path / "out.json"
    strategy.write_text(EMA_CROSS_EXAMPLE, encoding="utf-8")
    write_csv(csv, random_candles(300, seed=3, vol=0.004, freq="15min"))
    stdout = StringIO()
    call_command("run_backtest", "--strategy-file", str(strategy), "--candles-csv", str(csv),
                 "--amount", "10000", "--fee", "0.001", "--timeframe", "15m", "--json", str(out),
                 stdout=stdout)
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["stats"]["total_trades"] == len(result["trades"]) > 0
    first = result["trades"][0]
    for key in ("entry_time", "exit_time", "entry_price", "exit_price", "qty", "fee", "pnl",
                "pnl_pct", "exit_reason", "balance_after"):
        assert key in first
    assert first["entry_time"].endswith("Z")
    assert result["lookahead_detected"] is False and result["mode"] == "fast"
    assert "Montant final" in stdout.getvalue()


def test_cli_reports_french_errors(tmp_path):
    csv = tmp_path / "c.csv"
    csv.write_text("open_time,open,high,low\n1,1,1,1\n", encoding="utf-8")
    strategy = tmp_path / "s.py"
    strategy.write_text(EMA_CROSS_EXAMPLE, encoding="utf-8")
    with pytest.raises(CommandError, match="Colonnes manquantes"):
        call_command("run_backtest", "--strategy-file", str(strategy), "--candles-csv", str(csv),
                     "--amount", "100")
    with pytest.raises(CommandError, match="Indiquez"):
        call_command("run_backtest", "--amount", "100")


@pytest.fixture
def db_setup(transactional_db, make_user):  # noqa: ARG001
    """Données validées (transaction réelle) : la commande les relit depuis un autre thread."""
    from apps.brokers.models import Broker
    from apps.market_data.models import Candle
    from apps.strategies.models import Strategy

    user = make_user()
    broker = Broker.objects.create(user=user, name="Binance", exchange="binance")
    strategy = Strategy.objects.create(user=user, name="EMA", code=EMA_CROSS_EXAMPLE, timeframe="15m")
    candles = random_candles(200, seed=3, vol=0.004, freq="15min")
    candles.index = candles.index + (candles.index[0].normalize() - candles.index[0])
    Candle.objects.bulk_create(
        Candle(exchange="binance", symbol="BTC/USDT", timeframe="15m", open_time=t,
               close_time=t + timedelta(minutes=15), open_price=r.open, high_price=r.high,
               low_price=r.low, close_price=r.close, volume=r.volume)
        for t, r in zip(candles.index, candles.itertuples(), strict=True))
    return broker, strategy, candles


def test_cli_database_form_reads_candles_of_the_broker_exchange(db_setup, tmp_path):
    broker, strategy, candles = db_setup
    out = tmp_path / "out.json"
    start = candles.index[0].strftime("%Y-%m-%d")
    end = (candles.index[-1] + timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M")  # borne exclue
    call_command("run_backtest", "--strategy", str(strategy.pk), "--broker", str(broker.pk),
                 "--symbol", "BTC/USDT", "--timeframe", "15m", "--start", start, "--end", end,
                 "--amount", "1000", "--json", str(out), stdout=StringIO(), stderr=StringIO())
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["stats"]["candles"] == len(candles)
    assert result["source"]["exchange"] == "binance"


def test_cli_database_form_errors_when_candles_are_missing(db_setup):
    broker, strategy, _ = db_setup
    with pytest.raises(CommandError, match="Aucune bougie en base"):
        call_command("run_backtest", "--strategy", str(strategy.pk), "--broker", str(broker.pk),
                     "--symbol", "ETH/USDT", "--timeframe", "15m", "--start", "2025-01-01",
                     "--end", "2025-01-02", "--amount", "1000", "--no-download")
    with pytest.raises(CommandError, match="Bougies manquantes"):
        call_command("run_backtest", "--strategy", str(strategy.pk), "--broker", str(broker.pk),
                     "--symbol", "BTC/USDT", "--timeframe", "15m", "--start", "2024-12-01",
                     "--end", "2025-01-02", "--amount", "1000", "--no-download")
