"""Corps hostiles envoyés à l'API des optimisations : jamais de 5xx, aucune ligne créée."""

from __future__ import annotations

import pytest

from apps.backtest.models import BacktestOptimization
from apps.backtest.tests.support import make_strategy, payload
from apps.core.tests.exchange_fixtures import make_broker  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("overrides", [
    {"test_ratio": "NaN"}, {"test_ratio": "Infinity"}, {"test_ratio": "-inf"},
    {"max_runs": "1e9"}, {"max_runs": [1]}, {"metric": {"a": 1}},
    {"grid": "fast=1:1e308:1e300"}, {"grid": "fast=\x00:2:1"}, {"grid": "fast=1:3:1\x07"},
    {"grid": "fast=" + "9" * 5000}, {"grid": ["fast=1:2:1"]}, {"grid": "fast=1:2:1," * 400},
    {"params": {"slow": {"x": [1, 2]}}}, {"params": {"slow": "1e400"}}, {"params": ["slow", 3]},
    {"params": {f"p{i}": 1 for i in range(60)}}, {"start_date": "2026-02-30"},
    {"end_date": "99999-01-01"}, {"symbol": "BTC/\u202eUSDT"}, {"symbol": "BTC/USDT\x00"},
    {"strategy": 10**30},
])
def test_hostile_bodies_get_a_clean_400(logged_client, make_broker, overrides) -> None:  # noqa: F811
    client = logged_client()
    broker = make_broker(user=client.user)
    strategy = make_strategy(client.user)
    body = payload(strategy, broker, grid="fast=8:12:2")
    body.update(overrides)
    response = client.post("/api/backtest-optimizations/", body, format="json")
    assert response.status_code in (400, 404), (response.status_code, response.content[:300])
    assert isinstance(response.json()["detail"], str)
    assert not BacktestOptimization.objects.exists()
