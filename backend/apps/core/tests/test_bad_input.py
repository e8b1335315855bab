"""Aucune mauvaise entrée ne produit de 5xx (promesse du README) : les cas trouvés par
schemathesis et à la main donnent un 400 (ou 404) en français."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(logged_client):  # noqa: ANN001, ANN201
    return logged_client()


def _french(response) -> str:  # noqa: ANN001
    assert response.status_code < 500, (response.status_code, response.content[:300])
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail
    return detail


@pytest.mark.parametrize("path", [
    "/api/webhooks/?q=%00",
    "/api/webhooks/?status=%00",
    "/api/trades/?symbol=BTC%00",
    "/api/market-symbols/?q=%00",
    "/api/strategies/?search=a%00b",
    "/api/stats/summary/?start=2026%00",
    "/api/webhooks/receive/jeton%00/",
])
def test_a_nul_character_in_the_address_is_a_french_400(client, path: str) -> None:  # noqa: ANN001
    response = client.get(path) if "receive" not in path else client.post(path, "{}",
                                                                         content_type="application/json")
    assert response.status_code == 400
    assert _french(response) == "Requête refusée : caractère nul (%00) dans l'adresse."


@pytest.mark.parametrize("path", [
    "/api/trades/?broker=²", "/api/trades/?strategy=¹²", "/api/trades/?broker=１２",
    "/api/stats/summary/?broker=²", "/api/stats/summary/?broker=99999999999999999999",
    "/api/trades/?broker=99999999999999999999", "/api/strategies/99999999999999999999/",
    "/api/brokers/99999999999999999999/", "/api/backtests/99999999999999999999/",
    "/api/heartbeat/signals/?limit=²", "/api/heartbeat/signals/?limit=99999999999999999999",
    "/api/webhooks/?q=²",
])
def test_odd_digits_and_huge_integers_never_break_a_query(client, path: str) -> None:  # noqa: ANN001
    response = client.get(path)
    assert response.status_code in (200, 400, 404), (path, response.status_code, response.content[:200])
    if response.status_code != 200:
        _french(response)


IMPOSSIBLE_DATES = ["2026-13-45", "2026-02-30", "2026-01-01T25:61:00Z", "2026-01-01T00:00:00+25:00",
                    "0001-01-01", "9999-12-31", "9999-12-31T23:59:59-23:59", "1-1-1", "", "²⁰²⁶-01-01"]


@pytest.mark.parametrize("value", IMPOSSIBLE_DATES)
def test_impossible_dates_are_a_french_400(client, value: str) -> None:  # noqa: ANN001
    backtest = client.post("/api/backtests/", {"strategy": 1, "broker": 1, "symbol": "BTC/USDT",
                                               "timeframe": "5m", "start_date": value,
                                               "end_date": value, "initial_amount": "1000"},
                           format="json")
    assert backtest.status_code == 400, backtest.content
    _french(backtest)
    stats = client.get("/api/stats/summary/", {"start": value, "end": value})
    assert stats.status_code in (200, 400)
    if value:
        assert stats.status_code == 400 and _french(stats)
    active = client.post("/api/active-strategies/", {"strategy": 1, "broker": 1, "symbol": "BTC/USDT",
                                                     "start_date": value, "end_date": value},
                         format="json")
    assert active.status_code == 400, active.content
    _french(active)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/strategies/", {"name": {"a": [1]}, "code": {"x": 1}, "timeframe": ["5m"]}),
    ("patch", "/api/auth/me/", {"theme": ["dark"], "display_timezone": {"tz": "UTC"}}),
    ("patch", "/api/auth/me/", {"default_broker": {"id": 1}}),
    ("post", "/api/brokers/", {"name": ["B"], "exchange": {"id": "binance"}, "api_key": {"k": 1}}),
    ("post", "/api/brokers/check/", {"exchange": [["binance"]], "api_key": [], "broker_id": {"x": 1}}),
    ("post", "/api/trading-manual/orders/", {"broker": [1], "symbol": {"s": 1}, "side": ["buy"]}),
    ("post", "/api/backtests/", {"strategy": {"id": 1}, "start_date": {"d": 1}}),
    ("post", "/api/active-strategies/", {"strategy": [1], "broker": {"pk": 1}}),
    ("post", "/api/strategies/validate/", {"code": {"source": "x"}}),
    ("post", "/api/auth/password/", {"current_password": ["a"], "new_password": {"b": 1}}),
    ("post", "/api/webhooks/config/", {"regenerate_token": {"oui": True}}),
])
def test_nested_json_where_a_value_is_expected_is_a_french_400(client, method, path, body) -> None:  # noqa: ANN001
    response = getattr(client, method)(path, body, format="json")
    assert response.status_code == 400, (path, response.content[:300])
    _french(response)


@pytest.mark.parametrize(("label", "raw"), [
    ("imbrication profonde", "[" * 5000 + "]" * 5000),
    ("NaN", '{"name": "x", "code": "y", "timeframe": "5m", "n": NaN}'),
    ("Infinity", '{"name": Infinity}'),
    ("nombre de 5 000 chiffres", '{"name": ' + "9" * 5000 + "}"),
    ("caractère nul", '{"name": "a\\u0000b", "code": "x", "timeframe": "5m"}'),
    ("demi-paire", '{"name": "\\ud800", "code": "x", "timeframe": "5m"}'),
    ("pas du JSON", "{name: x}"),
    ("vide", ""),
])
def test_hostile_json_bodies_are_a_french_400(client, label: str, raw: str) -> None:  # noqa: ANN001
    for path in ("/api/strategies/", "/api/brokers/", "/api/strategies/validate/"):
        response = client.generic("POST", path, raw.encode(), content_type="application/json")
        assert response.status_code == 400, (label, path, response.content[:300])
        detail = _french(response)
        assert not raw or detail.startswith("Corps de requête JSON invalide"), (label, detail)


def test_strings_with_nul_characters_in_valid_json_are_refused_before_the_database(client) -> None:  # noqa: ANN001
    body = json.dumps({"name": "nul\u0000", "code": "x", "timeframe": "5m"})
    response = client.generic("POST", "/api/strategies/", body.encode(), content_type="application/json")
    assert response.status_code == 400 and "caractère nul" in _french(response)
