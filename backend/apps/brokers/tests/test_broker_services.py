"""API d'exchange des brokers, comme sous Daphne : vues synchrones, CCXT sur la boucle dédiée,
simulateur Binance dans son propre thread."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from exchange_simulator import DEMO_API_KEY, DEMO_API_SECRET

from apps.brokers.models import Broker
from apps.core.services.ccxt_manager import exchange_get
from apps.core.services.exchange_loop import exchange_loop_run, exchange_loop_submit
from apps.core.services.rate_limit import throttle_delay_ms
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, threaded_sim  # noqa: F401
from apps.market_data.models import MarketSymbol
from apps.trading.models import Trade
from apps.trading.services.orders import order_place

pytestmark = pytest.mark.django_db(transaction=True)


def _check(client, **payload):  # noqa: ANN001, ANN003, ANN202
    body = {"exchange": "binance", "api_key": DEMO_API_KEY, "api_secret": DEMO_API_SECRET,
            "is_testnet": False, **payload}
    return client.post("/api/brokers/check/", body, format="json")


def test_keys_check_with_unsaved_good_keys_returns_balances(threaded_sim, logged_client) -> None:  # noqa: F811
    client = logged_client()
    resp = _check(client)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["ok"] is True and body["exchange"] == "binance"
    assets = {row["asset"]: row for row in body["balances"]}
    assert set(assets) == {"USDT", "BTC", "ETH"}
    assert assets["USDT"]["total"] == 10000 and assets["USDT"]["usd_value"] == 10000
    assert body["total_usd"] == pytest.approx(sum(row["usd_value"] for row in body["balances"]))
    assert body["total_usd"] > 10000
    assert Broker.objects.count() == 0  # rien n'est enregistré


def test_keys_check_with_bad_secret_is_a_french_connection_error(threaded_sim, logged_client) -> None:  # noqa: F811
    client = logged_client()
    resp = _check(client, api_secret="mauvais-secret")
    assert resp.status_code == 400
    assert resp.json()["detail"] == "Erreur de connexion à Binance : Signature for this request is not valid."
    assert resp.json()["code"] == "exchange_auth"


def test_keys_check_reuses_stored_keys_of_own_broker_only(
    threaded_sim, logged_client, make_broker, make_user  # noqa: F811
) -> None:
    client = logged_client()
    mine = make_broker(user=client.user)
    resp = _check(client, api_key="", api_secret="", broker_id=mine.pk)
    assert resp.status_code == 200 and resp.json()["ok"] is True
    resp = _check(client, api_key="", api_secret="", exchange="", broker_id=mine.pk)
    assert resp.status_code == 200
    other = make_broker(user=make_user("autre"))
    resp = _check(client, api_key="", api_secret="", broker_id=other.pk)
    assert resp.status_code == 404
    resp = _check(client, api_key="")
    assert resp.status_code == 400 and "api_key" in resp.json()["errors"]


def test_keys_check_refuses_testnet_where_ccxt_has_none(threaded_sim, logged_client) -> None:  # noqa: F811
    client = logged_client()
    resp = client.get("/api/brokers/exchanges/")
    without = next(row for row in resp.json() if not row["sandbox"])
    resp = _check(client, exchange=without["id"], is_testnet=True)
    assert resp.status_code == 400
    assert resp.json()["detail"] == f"Le mode testnet n'est pas disponible pour {without['name']} dans CCXT."


def test_balance_endpoint_values_assets_in_usd(threaded_sim, logged_client, make_broker) -> None:  # noqa: F811
    client = logged_client()
    broker = make_broker(user=client.user)
    threaded_sim.admin("price", {"symbol": "BTCUSDT", "price": 60000, "freeze": True})
    threaded_sim.admin("price", {"symbol": "ETHUSDT", "price": 3000, "freeze": True})
    resp = client.get(f"/api/brokers/{broker.pk}/balance/")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["total_usd"] == pytest.approx(10000 + 0.5 * 60000 + 5 * 3000)
    assert {row["asset"]: row["usd_price"] for row in body["balances"]} == {
        "USDT": 1, "BTC": 60000, "ETH": 3000,
    }


def test_update_pairs_runs_in_background_with_progress(threaded_sim, logged_client, make_broker) -> None:  # noqa: F811
    client = logged_client()
    broker = make_broker(user=client.user)
    url = f"/api/brokers/{broker.pk}/update-pairs/"
    assert client.get(url).json() == {"job": None}
    for run in range(2):  # relancer est sans effet de bord (upsert)
        resp = client.post(url)
        assert resp.status_code == 202, resp.content
        job_id = resp.json()["job_id"]
        deadline = time.monotonic() + 20
        while True:
            job = client.get(url, {"job": job_id}).json()["job"]
            if job["status"] in ("done", "error") or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert job["status"] == "done", job
        assert job["progress"] == 100 and job["total"] == 16
        assert job["created_count"] == (16 if run == 0 else 0)
    assert MarketSymbol.objects.filter(exchange="binance", active=True).count() == 16
    eth_btc = MarketSymbol.objects.get(exchange="binance", symbol="ETH/BTC")
    assert eth_btc.min_amount == Decimal("0.0001") and eth_btc.price_precision == Decimal("0.00001")
    assert client.get(url).json()["job"]["id"] == job_id  # sans ?job : le plus récent


def test_ticker_open_orders_and_cancel_endpoints(threaded_sim, logged_client, make_broker) -> None:  # noqa: F811
    client = logged_client()
    broker = make_broker(user=client.user)
    threaded_sim.admin("price", {"symbol": "BTCUSDT", "price": 60000, "freeze": True})
    resp = client.get(f"/api/brokers/{broker.pk}/ticker/", {"symbol": "BTCUSDT"})
    assert resp.status_code == 200 and resp.json()["last"] == 60000 and resp.json()["symbol"] == "BTC/USDT"
    assert client.get(f"/api/brokers/{broker.pk}/ticker/").status_code == 400
    trade = exchange_loop_run(order_place(broker=broker, symbol="BTC/USDT", side="buy",
                                          order_type="limit", quantity="0.001", price="50000"))
    assert trade.status == Trade.Status.OPEN
    resp = client.get(f"/api/brokers/{broker.pk}/open-orders/", {"symbol": "BTC/USDT"})
    assert [o["id"] for o in resp.json()] == [trade.exchange_order_id]
    url = f"/api/brokers/{broker.pk}/orders/{trade.exchange_order_id}/cancel/"
    resp = client.post(url, {"symbol": "BTC/USDT"}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "canceled"
    trade.refresh_from_db()
    assert trade.status == Trade.Status.CANCELED
    assert client.get(f"/api/brokers/{broker.pk}/open-orders/").json() == []
    assert client.post(url, {}, format="json").status_code == 400  # symbole manquant


def test_unknown_symbol_and_down_exchange_answer_in_french(threaded_sim, logged_client, make_broker) -> None:  # noqa: F811
    client = logged_client()
    broker = make_broker(user=client.user)
    resp = client.get(f"/api/brokers/{broker.pk}/ticker/", {"symbol": "FOO/USDT"})
    assert resp.status_code == 400 and resp.json()["detail"] == "Symbole inconnu sur Binance : FOO/USDT"
    threaded_sim.admin("down", {"mode": "503"})
    resp = client.get(f"/api/brokers/{broker.pk}/balance/")
    assert resp.status_code == 502 and resp.json()["detail"].startswith("Binance injoignable : ")
    threaded_sim.admin("up")
    assert client.get(f"/api/brokers/{broker.pk}/balance/").status_code == 200


def test_other_users_brokers_are_not_found(threaded_sim, logged_client, make_broker, make_user) -> None:  # noqa: F811
    client = logged_client()
    other = make_broker(user=make_user("voisin"))
    base = f"/api/brokers/{other.pk}"
    for method, url, data in [
        ("get", f"{base}/balance/", None),
        ("get", f"{base}/update-pairs/", None),
        ("post", f"{base}/update-pairs/", {}),
        ("get", f"{base}/ticker/?symbol=BTC/USDT", None),
        ("get", f"{base}/open-orders/", None),
        ("post", f"{base}/orders/123/cancel/", {"symbol": "BTC/USDT"}),
    ]:
        resp = getattr(client, method)(url, data, format="json") if data is not None else getattr(
            client, method)(url)
        assert resp.status_code == 404, (method, url, resp.content)
        assert resp.json()["detail"] == "Ressource introuvable."
    assert not MarketSymbol.objects.exists()


async def test_views_served_by_the_asgi_handler_do_not_deadlock(threaded_sim, make_broker, make_user) -> None:  # noqa: F811
    """Comme sous Daphne : vue synchrone dans le thread « thread-sensitive » d'asgiref, qui attend la
    boucle dédiée, dont les appels ORM ne doivent pas revenir vers ce même thread."""
    import asyncio

    from asgiref.sync import sync_to_async
    from django.test import AsyncClient

    user = await sync_to_async(make_user)()
    broker = await sync_to_async(make_broker)(user=user)
    client = AsyncClient()
    await client.aforce_login(user)
    resp = await asyncio.wait_for(client.get(f"/api/brokers/{broker.pk}/balance/"), timeout=30)
    assert resp.status_code == 200, resp.content
    resp = await asyncio.wait_for(client.post(f"/api/brokers/{broker.pk}/update-pairs/"), timeout=30)
    assert resp.status_code == 202
    for _ in range(200):
        job = (await client.get(f"/api/brokers/{broker.pk}/update-pairs/")).json()["job"]
        if job["status"] in ("done", "error"):
            break
        await asyncio.sleep(0.05)
    assert job["status"] == "done" and job["progress"] == 100
    trade = await asyncio.wait_for(
        asyncio.wrap_future(exchange_loop_submit(order_place(
            broker=broker, symbol="BTC/USDT", side="buy", quote_amount="50"))),
        timeout=30,
    )
    assert trade.status == Trade.Status.FILLED


def test_a_warm_balance_costs_two_exchange_requests_and_no_rate_limit_wait(
    threaded_sim, logged_client, make_broker  # noqa: F811
) -> None:
    """Ce que coûte un solde à l'exchange, compté par le simulateur : les marchés sont chargés une
    fois par instance, les prix de tous les actifs viennent d'UNE requête légère (`ticker/price`,
    poids 4) ; et le limiteur de débit laisse partir la requête suivante sans attente (le seau
    percé de CCXT la retenait 800 ms après un `ticker/24hr?symbols=…`)."""
    client = logged_client()
    broker = make_broker(user=client.user)
    threaded_sim.requests_reset()
    assert client.get(f"/api/brokers/{broker.pk}/balance/").status_code == 200
    assert threaded_sim.requests_reset() == {
        "GET /api/v3/exchangeInfo": 1, "GET /api/v3/account": 1, "GET /api/v3/ticker/price": 1,
    }
    for _ in range(3):
        body = client.get(f"/api/brokers/{broker.pk}/balance/").json()
        assert threaded_sim.requests_reset() == {"GET /api/v3/account": 1, "GET /api/v3/ticker/price": 1}
        assert all(row["usd_value"] is not None for row in body["balances"])
    exchange = exchange_loop_run(exchange_get(broker=broker))
    assert throttle_delay_ms(exchange, cost=16) == 0  # 16 = poids 80 (le plus lourd de la page)
