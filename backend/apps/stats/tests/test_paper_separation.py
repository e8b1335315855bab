"""Statistiques : comptes réels et papier ne s'additionnent que si on le demande (`?broker=real|paper`)."""

from __future__ import annotations

import pytest

from apps.brokers.models import Broker
from apps.stats.tests.factories import at, make_trade
from apps.stats.tests.test_balance_history import snap

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(make_user, logged_client):  # noqa: ANN001, ANN201
    alice = make_user("alice")
    real = Broker.objects.create(user=alice, name="Réel", exchange="binance", is_default=True)
    paper = Broker.objects.create(user=alice, name="Papier", exchange="binance", is_paper=True)
    make_trade(user=alice, broker=real, when=at(5), side="sell", profit_loss="10")
    make_trade(user=alice, broker=paper, when=at(6), side="sell", profit_loss="1000", is_paper=True)
    snap(real, at(5), "500", {"USDT": ("500", "500")})
    snap(paper, at(5), "10000", {"USDT": ("10000", "10000")})
    return logged_client(alice)


def _pnl(client, broker: str) -> str:  # noqa: ANN001
    resp = client.get("/api/stats/summary/", {"broker": broker, "start": "2026-01-01", "end": "2026-01-31"})
    assert resp.status_code == 200, resp.content
    return resp.json()["total"]["pnl"]


def test_summary_separates_real_and_paper_accounts(setup) -> None:  # noqa: ANN001
    assert _pnl(setup, "real") == "10"
    assert _pnl(setup, "paper") == "1000"
    assert _pnl(setup, "") == "1010"  # « Tous » : les deux, explicitement


def test_balance_history_separates_real_and_paper_accounts(setup) -> None:  # noqa: ANN001
    def total(broker: str) -> str:
        params = {"broker": broker, "interval": "day", "start": "2026-01-01", "end": "2026-01-31"}
        points = setup.get("/api/stats/balance-history/", params).json()["points"]
        return points[-1]["total_usd"]

    assert total("real") == "500"
    assert total("paper") == "10000"
    assert total("") == "10500"


def test_a_bad_venue_filter_is_a_french_400(setup) -> None:  # noqa: ANN001
    resp = setup.get("/api/stats/summary/", {"broker": "papier"})
    assert resp.status_code == 400 and "« real » ou « paper »" in resp.json()["detail"]


def test_hostile_broker_filters_are_french_400s(setup) -> None:  # noqa: ANN001
    for value in ("real\x00", "paper' OR 1=1", "x" * 5000, "-1", "１２"):
        for path in ("/api/stats/summary/", "/api/stats/balance-history/", "/api/stats/pnl-history/"):
            resp = setup.get(path, {"broker": value})
            assert resp.status_code in (400, 404), (path, value, resp.status_code)
            assert len(resp.json()["detail"]) < 300
