"""Garde générique « un GET n'écrit jamais » (docs/architecture.md) : les principales lectures de
l'API, pour un utilisateur qui a un broker (simulateur Binance), un ordre limite ouvert et des
trades, n'exécutent aucune requête INSERT/UPDATE/DELETE, dans aucun thread."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.core.tests.db_writes import sql_writes
from apps.core.tests.exchange_fixtures import make_broker, threaded_sim  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_main_read_endpoints_execute_no_sql_write(threaded_sim, logged_client, make_broker) -> None:  # noqa: F811
    threaded_sim.admin("price", {"symbol": "BTCUSDT", "price": 60000, "freeze": True})
    client = logged_client()
    broker = make_broker(user=client.user).pk
    for payload in ({"order_type": "market", "quantity": "0.001"},
                    {"order_type": "limit", "quantity": "0.001", "price": "59000"}):
        resp = client.post("/api/trading-manual/orders/", {"broker": broker, "symbol": "BTC/USDT",
                                                           "side": "buy", **payload}, format="json")
        assert resp.status_code == 201, resp.content
    threaded_sim.admin("price", {"symbol": "BTCUSDT", "price": 58000, "freeze": True})  # limite exécutée
    stale = _orphans(client.user, broker)  # backtest et optimisation « actifs » sans tâche vivante
    reads = [
        "/api/auth/me/", "/api/brokers/", f"/api/brokers/{broker}/", f"/api/brokers/{broker}/balance/",
        f"/api/brokers/{broker}/open-orders/", f"/api/brokers/{broker}/ticker/?symbol=BTC/USDT",
        f"/api/brokers/{broker}/update-pairs/", "/api/trading-manual/portfolio/",
        "/api/trading-manual/open-orders/", "/api/trades/", "/api/trades/?source=manual",
        "/api/market-symbols/?exchange=binance", "/api/strategies/", "/api/active-strategies/",
        "/api/webhooks/", "/api/webhooks/config/", "/api/status/",
        "/api/stats/summary/", "/api/stats/strategies/", "/api/stats/webhook-sources/",
        "/api/stats/symbols/", "/api/stats/pnl-history/", "/api/stats/balance-history/",
        "/api/heartbeat/status/", "/api/backtests/", "/api/backtest-optimizations/",
        f"/api/backtests/{stale[0]}/", f"/api/backtest-optimizations/{stale[1]}/",
    ]
    with sql_writes() as writes:
        statuses = {url: client.get(url).status_code for url in reads}
    assert {url: code for url, code in statuses.items() if code != 200} == {}
    assert writes == []
    assert client.get(f"/api/backtest-optimizations/{stale[1]}/").json()["status"] == "error"


def _orphans(user, broker_id: int) -> tuple[int, int]:  # noqa: ANN001
    """Lignes actives dont la tâche a disparu : la lecture les *montre* en erreur sans écrire."""
    from apps.backtest.models import BacktestOptimization, BacktestResult

    old = timezone.now() - dt.timedelta(minutes=5)
    common = {"user": user, "broker_id": broker_id, "exchange": "binance", "symbol": "BTC/USDT",
              "timeframe": "1h", "start_date": old, "end_date": old, "initial_amount": 1000,
              "status": "running", "heartbeat_at": old}
    backtest = BacktestResult.objects.create(**common)
    optimization = BacktestOptimization.objects.create(**common, grid="fast=1:2:1")
    return backtest.pk, optimization.pk
