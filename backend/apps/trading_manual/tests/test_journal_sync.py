"""« Un GET n'écrit jamais » sur la page Trading manuel, et le rattrapage du journal `trades` qui
l'accompagne : `POST /api/trading-manual/sync/` (la page) et le passage minute du moteur, contre le
simulateur Binance (broker réel) et le venue papier."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from apps.brokers.journal import JournalCatchUp
from apps.brokers.models import PaperBalance, PaperOrder
from apps.core.services.exchange_loop import exchange_loop_run
from apps.core.tests.db_writes import sql_writes
from apps.core.tests.exchange_fixtures import make_broker, threaded_sim  # noqa: F401
from apps.trading.models import Trade
from apps.trading_engine.engine.monitor import PositionMonitor
from apps.trading_engine.engine.notify import Notifier
from apps.trading_engine.tests.engine_support import engine_config

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = "/api/trading-manual/orders/"
OPEN_ORDERS = "/api/trading-manual/open-orders/"
SYNC = "/api/trading-manual/sync/"


@pytest.fixture(params=["simulateur", "papier"])
def trader(request, threaded_sim, logged_client, make_broker):  # noqa: ANN001, ANN201, F811
    """Client connecté et son broker (compte de démonstration du simulateur, ou broker papier à
    10 000 USDT), BTC figé à 60 000 USDT."""
    threaded_sim.admin("price", {"symbol": "BTCUSDT", "price": 60000, "freeze": True})
    client = logged_client()
    if request.param == "papier":
        resp = client.post("/api/brokers/", {"name": "Papier", "exchange": "binance", "is_paper": True},
                           format="json")
        assert resp.status_code == 201, resp.content
        client.broker_id = resp.json()["id"]
    else:
        client.broker_id = make_broker(user=client.user).pk
    return client


def _limit_crossed(client, threaded_sim) -> Trade:  # noqa: ANN001, F811
    """Un achat limite à 59 000 reste ouvert, puis le prix passe à 58 000 (le simulateur l'exécute ;
    le venue papier l'exécutera au prochain rapprochement)."""
    resp = client.post(ORDERS, {"broker": client.broker_id, "symbol": "BTC/USDT", "side": "buy",
                                "order_type": "limit", "quantity": "0.01", "price": "59000"}, format="json")
    assert resp.status_code == 201 and resp.json()["status"] == "open", resp.content
    threaded_sim.admin("price", {"symbol": "BTCUSDT", "price": 58000, "freeze": True})
    return Trade.objects.get(pk=resp.json()["id"])


def _state(broker_id: int) -> list[Any]:
    """Journal et grand livre papier tels qu'en base (dates de mise à jour comprises)."""
    return [list(Trade.objects.filter(broker_id=broker_id).order_by("pk").values()),
            list(PaperBalance.objects.filter(broker_id=broker_id).order_by("asset").values()),
            list(PaperOrder.objects.filter(broker_id=broker_id).order_by("pk").values())]


def _page_reads(client) -> list[tuple[str, dict[str, Any]]]:  # noqa: ANN001
    """Ce que la page Trading manuel lit (GET), plus les lectures d'exchange des brokers."""
    broker = client.broker_id
    return [
        ("/api/brokers/", {}),
        ("/api/trading-manual/portfolio/", {"broker": broker}),
        (OPEN_ORDERS, {"broker": broker}),
        (OPEN_ORDERS, {"broker": broker, "symbol": "BTC/USDT"}),
        ("/api/trades/", {"source": "manual", "broker": broker, "page_size": 20}),
        ("/api/market-symbols/", {"exchange": "binance", "active": "true"}),
        (f"/api/brokers/{broker}/ticker/", {"symbol": "BTC/USDT"}),
        (f"/api/brokers/{broker}/balance/", {}),
        (f"/api/brokers/{broker}/open-orders/", {}),
    ]


def test_page_reads_write_nothing_then_the_sync_post_catches_the_journal_up(trader, threaded_sim) -> None:  # noqa: F811
    trade = _limit_crossed(trader, threaded_sim)
    before = _state(trader.broker_id)
    with sql_writes() as writes:
        for url, query in _page_reads(trader):
            assert trader.get(url, query).status_code == 200, url
    assert writes == []  # aucune requête INSERT/UPDATE/DELETE, quel que soit le thread
    assert _state(trader.broker_id) == before
    trade.refresh_from_db()
    assert trade.status == Trade.Status.OPEN  # lu tel quel : le rattrapage est une action (POST)

    resp = trader.post(SYNC, {"broker": trader.broker_id}, format="json")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert (body["broker"], body["synced"]) == (trader.broker_id, 1) and body["synced_at"].endswith("Z")
    trade.refresh_from_db()
    assert (trade.status, trade.price, trade.quantity) == ("filled", Decimal(59000), Decimal("0.01"))
    assert trader.get(OPEN_ORDERS, {"broker": trader.broker_id}).json() == []
    # Plus rien d'ouvert : un nouveau rattrapage ne demande rien à l'exchange.
    threaded_sim.requests_reset()
    again = trader.post(SYNC, {"broker": trader.broker_id, "symbol": "BTCUSDT"}, format="json")
    assert again.json()["synced"] == 0
    assert not {k for k in threaded_sim.requests_reset() if "order" in k.lower()}


def test_the_engine_minute_pass_catches_up_without_any_http_call(trader, threaded_sim) -> None:  # noqa: F811
    trade = _limit_crossed(trader, threaded_sim)
    monitor = PositionMonitor(config=engine_config(), notifier=Notifier())
    exchange_loop_run(monitor.check_all())
    trade.refresh_from_db()
    assert (trade.status, trade.price) == (Trade.Status.FILLED, Decimal(59000))
    # Au plus une fois par minute et par broker : un deuxième ordre croisé attend le passage suivant.
    threaded_sim.admin("price", {"symbol": "BTCUSDT", "price": 60000, "freeze": True})
    second = _limit_crossed(trader, threaded_sim)
    exchange_loop_run(monitor.check_all())
    second.refresh_from_db()
    assert second.status == Trade.Status.OPEN


def test_catch_up_is_throttled_per_broker_and_an_exchange_error_neither_leaks_nor_stops_it(
    threaded_sim, logged_client, make_broker, make_user, caplog  # noqa: F811
) -> None:
    threaded_sim.admin("price", {"symbol": "BTCUSDT", "price": 60000, "freeze": True})
    client = logged_client()
    client.broker_id = make_broker(user=client.user).pk
    refused = make_broker(user=make_user("cles-refusees"), api_key="cle-inconnue-XYZ",
                          api_secret="secret-tres-prive-123")
    Trade.objects.create(user_id=refused.user_id, broker_id=refused.pk, exchange="binance", source="manual",
                         symbol="BTC/USDT", side="buy", order_type="limit", status=Trade.Status.OPEN,
                         client_order_id="ari-refuse", exchange_order_id="424242")
    asleep = make_user("inactif")
    asleep.is_active = False
    asleep.save(update_fields=["is_active"])
    idle = make_broker(user=asleep)
    Trade.objects.create(user_id=asleep.pk, broker_id=idle.pk, exchange="binance", source="manual",
                         symbol="BTC/USDT", side="buy", order_type="limit", status=Trade.Status.OPEN,
                         client_order_id="ari-inactif", exchange_order_id="434343")
    trade = _limit_crossed(client, threaded_sim)
    now = [1000.0]
    journal = JournalCatchUp(interval_s=60, clock=lambda: now[0])

    results = exchange_loop_run(journal.run())
    assert set(results) == {client.broker_id, refused.pk}  # utilisateur inactif : ignoré
    assert results[client.broker_id] == 1
    assert isinstance(results[refused.pk], str) and results[refused.pk]
    trade.refresh_from_db()
    assert trade.status == Trade.Status.FILLED
    assert "non rattrapé" in caplog.text
    assert "secret-tres-prive-123" not in caplog.text and "signature=" not in caplog.text
    now[0] += 59
    assert exchange_loop_run(journal.run()) == {}  # moins d'une minute : personne
    now[0] += 1
    assert set(exchange_loop_run(journal.run())) == {refused.pk}  # seul lui a encore une ligne ouverte


def test_sync_post_checks_its_input_owner_and_rate(
    threaded_sim, logged_client, make_broker, make_user  # noqa: F811
) -> None:
    client = logged_client()
    mine = make_broker(user=client.user)
    other = make_broker(user=make_user("voisin"))
    assert client.post(SYNC, {"broker": other.pk}, format="json").status_code == 404
    bad = client.post(SYNC, {"broker": "abc"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"]["broker"] == [
        "Identifiant de broker invalide : entier attendu."]
    assert client.post(SYNC, {}, format="json").json()["broker"] == mine.pk  # broker par défaut
    for _ in range(29):
        assert client.post(SYNC, {}, format="json").status_code == 200
    throttled = client.post(SYNC, {}, format="json")
    assert throttled.status_code == 429 and "Trop de rattrapages" in throttled.json()["detail"]
    assert throttled.headers["Retry-After"]
