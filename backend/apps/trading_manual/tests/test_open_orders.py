"""`GET /api/trading-manual/open-orders/` : ordres ouverts du broker et leur origine (journal
`trades`), pour signaler les protections SL/TP d'une stratégie ; contre le simulateur Binance."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.core.services.exchange_loop import exchange_loop_run
from apps.core.tests.exchange_fixtures import make_broker, threaded_sim  # noqa: F401
from apps.trading.models import Trade
from apps.trading_engine.engine.monitor import PositionMonitor
from apps.trading_engine.engine.notify import Notifier
from apps.trading_engine.engine.positions import position_open
from apps.trading_engine.models import Position
from apps.trading_engine.tests.engine_support import engine_config, long_code, make_active  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

OPEN_ORDERS = "/api/trading-manual/open-orders/"


@pytest.fixture
def setup(threaded_sim, logged_client, make_active):  # noqa: ANN001, ANN201, F811
    """Une stratégie active en position sur BTC/USDT, protégée par une OCO (SL −2 %, TP +4 %)."""
    threaded_sim.call(threaded_sim.sim.set_price, "BTCUSDT", "60000", freeze=True)
    client = logged_client()
    client.threaded_sim = threaded_sim
    active = make_active(long_code(), user=client.user)

    async def _buy() -> Position:
        _, position = await position_open(active=active, quote_amount=Decimal("100"), stop_loss=0.02,
                                          take_profit=0.04, slippage=Decimal("0.005"), notifier=Notifier())
        assert position is not None and position.protection_mode == "exchange"
        return position

    return client, active, exchange_loop_run(_buy())


def _by_role(orders: list[dict]) -> dict[str, dict]:
    return {(o["origin"] or {}).get("role", "hors Aristobot"): o for o in orders}


def test_strategy_protections_are_flagged_with_their_strategy(setup) -> None:  # noqa: ANN001
    client, active, position = setup
    manual = client.post("/api/trading-manual/orders/", {
        "broker": active.broker_id, "symbol": "BTC/USDT", "side": "buy", "order_type": "limit",
        "quantity": "0.001", "price": "50000"}, format="json")
    assert manual.status_code == 201, manual.content

    resp = client.get(OPEN_ORDERS, {"broker": active.broker_id})
    assert resp.status_code == 200, resp.content
    orders = _by_role(resp.json())
    assert set(orders) == {"stop_loss", "take_profit", "manual"}
    for role, order_id in (("stop_loss", position.sl_order_id), ("take_profit", position.tp_order_id)):
        order = orders[role]
        assert order["id"] == order_id and order["side"] == "sell" and order["symbol"] == "BTC/USDT"
        assert order["origin"] == {
            "source": "strategy", "role": role, "order_type": "oco", "strategy_id": active.strategy_id,
            "strategy_name": active.strategy.name, "active_strategy_id": active.pk, "webhook_id": None,
        }
    assert orders["manual"]["origin"]["source"] == "manual"
    assert orders["manual"]["origin"]["strategy_name"] is None
    assert orders["manual"]["price"] == 50000 and orders["manual"]["type"] == "limit"

    # Un ordre inconnu du journal (passé hors d'Aristobot) : origine nulle.
    Trade.objects.filter(pk=manual.json()["id"]).delete()
    orders = _by_role(client.get(OPEN_ORDERS, {"broker": active.broker_id}).json())
    assert orders["hors Aristobot"]["origin"] is None
    # Filtre par symbole.
    assert client.get(OPEN_ORDERS, {"broker": active.broker_id, "symbol": "ETH/USDT"}).json() == []


def test_cancelling_one_leg_removes_the_oco_and_the_engine_falls_back_to_watching(setup) -> None:  # noqa: ANN001
    """Ce que dit l'avertissement de la page : annuler une jambe annule toute l'OCO, la position reste
    ouverte sans protection sur l'exchange, le moteur ne fait plus que surveiller ses seuils."""
    client, active, position = setup
    resp = client.post(f"/api/brokers/{active.broker_id}/orders/{position.sl_order_id}/cancel/",
                       {"symbol": "BTC/USDT"}, format="json")
    assert resp.status_code == 200, resp.content
    assert client.get(OPEN_ORDERS, {"broker": active.broker_id}).json() == []

    monitor = PositionMonitor(config=engine_config(), notifier=Notifier())
    assert exchange_loop_run(monitor.check_all())[position.pk] == "ouverte"
    position.refresh_from_db()
    assert (position.status, position.protection_mode, position.sl_order_id) == ("open", "watched", "")
    assert position.stop_loss_price is not None and position.take_profit_price is not None


def test_open_orders_of_another_users_broker_are_private(setup, make_user, logged_client) -> None:  # noqa: ANN001
    _, active, _ = setup
    neighbour = logged_client(make_user("voisin"))
    assert neighbour.get(OPEN_ORDERS, {"broker": active.broker_id}).status_code == 404


def test_strategy_protections_are_left_to_the_engine_by_the_sync_post(setup) -> None:  # noqa: ANN001
    """Le rattrapage du journal ne relit pas les jambes SL/TP d'une stratégie : c'est le moteur qui
    les relit, clôt la position avec la jambe exécutée et résume la clôture."""
    client, active, position = setup
    client.threaded_sim.admin("price", {"symbol": "BTCUSDT", "price": 58700, "freeze": True})  # stop exécuté
    resp = client.post("/api/trading-manual/sync/", {"broker": active.broker_id}, format="json")
    assert resp.status_code == 200 and resp.json()["synced"] == 0, resp.content
    legs = Trade.objects.filter(exchange_order_id__in=[position.sl_order_id, position.tp_order_id])
    assert set(legs.values_list("status", flat=True)) == {"open"}
    monitor = PositionMonitor(config=engine_config(), notifier=Notifier())
    assert exchange_loop_run(monitor.check_all())[position.pk] == "clôturée (protection exécutée)"
    position.refresh_from_db()
    assert (position.status, position.exit_reason) == ("closed", "stop_loss")
