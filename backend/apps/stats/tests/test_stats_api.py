"""API des statistiques sur un jeu de trades fait main : totaux exacts, filtres, isolation, erreurs.

Totaux attendus du jeu de référence (factories.build_trade_set), devise de cotation :

| source   | P&L    | clôturés | gagnants | frais | volume | ordres exécutés | erreurs |
|----------|--------|----------|----------|-------|--------|-----------------|---------|
| manuel   | 78.65  | 2        | 1        | 2.6   | 2600   | 3               | 1       |
| stratégie| 14.4   | 3        | 2        | 0.9   | 900    | 4               | 0       |
| webhook  | 7.6    | 2        | 1        | 0.55  | 550    | 2               | 1       |
| total    | 100.65 | 7        | 4        | 4.05  | 4050   | 9               | 2       |

(l'ordre partiellement exécuté et l'ordre annulé ne comptent ni en frais, ni en volume, ni en ordres.)
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.brokers.models import Broker
from apps.stats.tests.factories import at, build_trade_set, make_trade

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def trade_set(make_user):  # noqa: ANN001, ANN201
    return build_trade_set(make_user("alice"))


@pytest.fixture
def client(trade_set, logged_client):  # noqa: ANN001, ANN201
    return logged_client(trade_set.user)


@pytest.fixture
def other_user_trades(make_user):  # noqa: ANN001, ANN201
    bob = make_user("bob")
    broker = Broker.objects.create(user=bob, name="Bob", exchange="binance")
    make_trade(user=bob, broker=broker, when=at(8), source="manual", side="sell", cost="9999",
               fee_quote="9", profit_loss="1000")
    return broker


def _decimals(row: dict, *keys: str) -> tuple:
    return tuple(None if row[k] is None else D(row[k]) for k in keys)


def _get(client, path: str, **params):  # noqa: ANN001, ANN202
    return client.get(f"/api/stats/{path}/", params)


def test_summary_totals_and_per_source_are_exact(client, other_user_trades) -> None:  # noqa: ANN001
    resp = _get(client, "summary")
    assert resp.status_code == 200, resp.content
    data = resp.json()
    total = data["total"]
    assert _decimals(total, "pnl", "fees", "volume", "win_rate") == (
        D("100.65"), D("4.05"), D("4050"), D("0.5714"))
    assert (total["closed_trades"], total["wins"], total["losses"], total["orders"], total["errors"]) == (
        7, 4, 3, 9, 2)
    by_source = data["by_source"]
    assert list(by_source) == ["manual", "strategy", "webhook"]
    expected = {
        "manual": (D("78.65"), D("2.6"), D("2600"), D("0.5"), 2, 1, 3, 1),
        "strategy": (D("14.4"), D("0.9"), D("900"), D("0.6667"), 3, 2, 4, 0),
        "webhook": (D("7.6"), D("0.55"), D("550"), D("0.5"), 2, 1, 2, 1),
    }
    for source, values in expected.items():
        row = by_source[source]
        got = (*_decimals(row, "pnl", "fees", "volume", "win_rate"), row["closed_trades"], row["wins"],
               row["orders"], row["errors"])
        assert got == values, source
    assert by_source["manual"]["label"] == "Manuel"


def test_summary_amounts_are_exact_decimal_strings(client) -> None:  # noqa: ANN001
    total = _get(client, "summary").json()["total"]
    assert total["pnl"] == "100.65" and total["volume"] == "4050" and total["fees"] == "4.05"


def test_empty_user_gets_zeros_and_null_win_rate(logged_client, make_user) -> None:  # noqa: ANN001
    data = _get(logged_client(make_user("vide")), "summary").json()
    assert data["total"] == {"pnl": "0", "closed_trades": 0, "wins": 0, "losses": 0, "win_rate": None,
                             "fees": "0", "volume": "0", "orders": 0, "errors": 0}
    assert data["by_source"]["webhook"]["pnl"] == "0"
    assert _get(logged_client(make_user("vide2")), "strategies").json() == {"results": []}
    history = _get(logged_client(make_user("vide3")), "pnl-history").json()
    assert history["points"] == [] and history["opening_pnl"] == "0"


def test_strategies_ranked_by_pnl(client) -> None:  # noqa: ANN001
    rows = _get(client, "strategies").json()["results"]
    assert [r["name"] for r in rows] == ["MACD", "RSI Rebond"]
    macd, rsi = rows
    assert _decimals(macd, "pnl", "win_rate", "fees") == (D("15"), D("1"), D("0.3"))
    assert (macd["closed_trades"], macd["orders"]) == (1, 1)
    assert _decimals(rsi, "pnl", "win_rate", "fees", "volume") == (D("-0.6"), D("0.5"), D("0.6"), D("600"))
    assert (rsi["closed_trades"], rsi["wins"], rsi["losses"], rsi["orders"]) == (2, 1, 1, 3)


def test_webhook_sources_grouped_by_label(client) -> None:  # noqa: ANN001
    rows = _get(client, "webhook-sources").json()["results"]
    assert [r["source"] for r in rows] == ["tradingview", "tv-scalp"]
    tv, scalp = rows
    assert _decimals(tv, "pnl", "fees", "win_rate") == (D("12.6"), D("0.4"), D("1"))
    assert _decimals(scalp, "pnl", "fees", "win_rate") == (D("-5"), D("0.15"), D("0"))
    assert (scalp["closed_trades"], scalp["errors"], scalp["orders"]) == (1, 1, 1)


def test_symbols_for_manual_table(client) -> None:  # noqa: ANN001
    rows = _get(client, "symbols", source="manual").json()["results"]
    assert [(r["symbol"], D(r["pnl"]), r["errors"]) for r in rows] == [
        ("BTC/USDT", D("98.9"), 0), ("ETH/USDT", D("-20.25"), 1)]
    assert _get(client, "symbols", source="bourse").status_code == 400


def test_broker_filter(client, trade_set) -> None:  # noqa: ANN001
    total = _get(client, "summary", broker=trade_set.second.pk).json()["total"]
    assert _decimals(total, "pnl", "fees", "volume") == (D("-5.25"), D("0.8"), D("800"))
    assert (total["closed_trades"], total["orders"], total["errors"]) == (2, 2, 0)
    assert _get(client, "summary", broker="").json()["total"]["pnl"] == "100.65"


def test_period_filter_dates_are_inclusive_days(client) -> None:  # noqa: ANN001
    total = _get(client, "summary", start="2026-01-07", end="2026-01-08").json()["total"]
    assert _decimals(total, "pnl", "fees", "volume") == (D("12"), D("1"), D("1000"))
    assert (total["closed_trades"], total["orders"], total["errors"]) == (3, 4, 1)
    # Date-heure : fin exclusive (le trade de 12:00 le 7 n'est pas compris)
    total = _get(client, "summary", start="2026-01-07T00:00:00Z", end="2026-01-07T12:00:00Z").json()
    assert total["total"]["orders"] == 1 and total["total"]["closed_trades"] == 0


def test_pnl_history_is_cumulative_realized_pnl(client) -> None:  # noqa: ANN001
    data = _get(client, "pnl-history").json()
    assert data["kind"] == "realized_pnl" and data["interval"] == "day"
    assert [(p["time"][:10], D(p["pnl"]), D(p["cumulative"])) for p in data["points"]] == [
        ("2026-01-06", D("98.9"), D("98.9")),
        ("2026-01-07", D("9.59"), D("108.49")),
        ("2026-01-08", D("2.41"), D("110.9")),
        ("2026-01-09", D("15"), D("125.9")),
        ("2026-01-10", D("-20.25"), D("105.65")),
        ("2026-01-11", D("-5"), D("100.65")),
    ]
    assert data["points"][0]["timestamp"] == 1767657600  # 2026-01-06T00:00:00Z
    assert data["points"][2]["closed_trades"] == 2


def test_pnl_history_period_has_opening_pnl(client) -> None:  # noqa: ANN001
    data = _get(client, "pnl-history", start="2026-01-08").json()
    assert D(data["opening_pnl"]) == D("108.49")
    assert [D(p["cumulative"]) for p in data["points"]] == [D("2.41"), D("17.41"), D("-2.84"), D("-7.84")]


def test_pnl_history_hourly_and_timezone(client, trade_set) -> None:  # noqa: ANN001
    data = _get(client, "pnl-history", interval="hour", start="2026-01-08", end="2026-01-08").json()
    assert [(p["time"], D(p["pnl"])) for p in data["points"]] == [
        ("2026-01-08T09:00:00+00:00", D("12.6")), ("2026-01-08T12:00:00+00:00", D("-10.19"))]
    # 23:30 UTC le 12 = le 13 à Paris : le point journalier change de jour selon le fuseau.
    make_trade(user=trade_set.user, broker=trade_set.main, when=at(12, 23, 30), source="manual",
               side="sell", cost="10", profit_loss="1")
    utc = _get(client, "pnl-history", start="2026-01-12").json()["points"]
    paris = _get(client, "pnl-history", start="2026-01-12", tz="Europe/Paris").json()
    assert [p["time"] for p in utc] == ["2026-01-12T00:00:00+00:00"]
    assert [p["time"] for p in paris["points"]] == ["2026-01-13T00:00:00+01:00"]
    assert paris["timezone"] == "Europe/Paris"


def test_users_only_see_their_own_trades(client, other_user_trades, logged_client) -> None:  # noqa: ANN001
    bob_client = logged_client(other_user_trades.user)
    bob = _get(bob_client, "summary").json()["total"]
    assert (bob["pnl"], bob["closed_trades"]) == ("1000", 1)
    assert _get(bob_client, "strategies").json()["results"] == []
    # le broker de Bob n'existe pas pour Alice (et réciproquement)
    resp = _get(client, "summary", broker=other_user_trades.pk)
    assert resp.status_code == 404
    assert resp.json()["detail"] == f"Broker introuvable (id {other_user_trades.pk})."
    assert _get(client, "pnl-history", broker=other_user_trades.pk).status_code == 404


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13-01"}, "Date « start » invalide"),
        ({"end": "demain"}, "Date « end » invalide"),
        ({"start": "2026-01-10", "end": "2026-01-09"}, "la fin doit être postérieure au début"),
        ({"broker": "abc"}, "Filtre « broker » invalide"),
        ({"tz": "Mars/Olympus"}, "Fuseau horaire inconnu"),
    ],
)
def test_bad_filters_answer_400_in_french(client, params, message) -> None:  # noqa: ANN001
    resp = _get(client, "summary", **params)
    assert resp.status_code == 400
    assert message in resp.json()["detail"]


def test_bad_interval_is_rejected(client) -> None:  # noqa: ANN001
    resp = _get(client, "pnl-history", interval="week")
    assert resp.status_code == 400
    assert "Intervalle « week » invalide" in resp.json()["detail"]


def test_anonymous_is_refused(api_client) -> None:  # noqa: ANN001
    resp = api_client.get("/api/stats/summary/")
    assert resp.status_code in (401, 403)
    assert "Authentification" in resp.json()["detail"]
