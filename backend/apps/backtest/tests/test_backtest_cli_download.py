"""`run_backtest` forme base de données : télécharge les bougies manquantes puis calcule."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.backtest.tests.support import make_strategy, recent_period
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, threaded_sim  # noqa: F401
from apps.market_data.models import Candle

pytestmark = pytest.mark.django_db(transaction=True)


def test_cli_downloads_missing_candles_then_prints_a_french_summary(threaded_sim, make_user,  # noqa: F811
                                                                    make_broker, tmp_path) -> None:  # noqa: F811
    user = make_user()
    broker = make_broker(user=user)
    strategy = make_strategy(user)
    start, end = recent_period(days=2)
    out, stdout, stderr = tmp_path / "out.json", StringIO(), StringIO()
    args = ["run_backtest", "--strategy", str(strategy.pk), "--broker", str(broker.pk), "--symbol",
            "btc/usdt", "--timeframe", "5m", "--start", start.isoformat(), "--end", end.isoformat(),
            "--amount", "10000", "--fee", "0.001", "--json", str(out)]
    call_command(*args, stdout=stdout, stderr=stderr)
    assert "576 bougie(s) téléchargée(s) depuis binance" in stderr.getvalue()
    summary = stdout.getvalue()
    for label in ("Montant final", "Trades", "Drawdown max", "Sharpe / Sortino", "Buy & hold"):
        assert label in summary
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["stats"]["candles"] == 576 and result["source"]["symbol"] == "BTC/USDT"
    assert Candle.objects.filter(exchange="binance", symbol="BTC/USDT", timeframe="5m").count() == 576

    stderr = StringIO()  # deuxième passage : tout est en base, rien n'est retéléchargé
    call_command(*args, stdout=StringIO(), stderr=stderr)
    assert "téléchargée" not in stderr.getvalue()
    assert json.loads(out.read_text(encoding="utf-8"))["trades"] == result["trades"]


def test_cli_reports_unknown_symbols_in_french(threaded_sim, make_user, make_broker) -> None:  # noqa: F811
    user = make_user()
    broker = make_broker(user=user)
    strategy = make_strategy(user)
    start, end = recent_period(days=1)
    with pytest.raises(CommandError, match="Téléchargement des bougies impossible : Symbole inconnu"):
        call_command("run_backtest", "--strategy", str(strategy.pk), "--broker", str(broker.pk),
                     "--symbol", "FOO/USDT", "--timeframe", "5m", "--start", start.isoformat(),
                     "--end", end.isoformat(), "--amount", "100", stdout=StringIO(), stderr=StringIO())
