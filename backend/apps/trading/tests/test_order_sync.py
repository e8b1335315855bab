"""Journal rattrapé : un ordre encore `open` dans `trades` mais plus ouvert sur l'exchange est relu."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async

from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, sim  # noqa: F401
from apps.trading.models import Trade
from apps.trading.services.order_sync import open_trades_sync
from apps.trading.services.orders import order_place

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_limit_filled_on_the_exchange_is_updated_and_an_unknown_one_marked(sim, make_broker) -> None:  # noqa: F811
    sim.set_price("BTCUSDT", "60000", freeze=True)
    key = f"key-{uuid.uuid4().hex[:8]}"
    sim.set_account(key, "s3cret", {"USDT": "1000"})
    broker = await sync_to_async(make_broker)(api_key=key, api_secret="s3cret")
    limit = await order_place(broker=broker, symbol="BTC/USDT", side="buy", order_type="limit",
                              quantity="0.001", price="59000")
    assert limit.status == Trade.Status.OPEN
    ghost = await Trade.objects.acreate(
        user_id=broker.user_id, broker_id=broker.pk, exchange="binance", source="manual", symbol="BTC/USDT",
        side="buy", order_type="limit", status=Trade.Status.OPEN, client_order_id="ari-ghost",
        exchange_order_id="987654321",
    )
    # Toujours ouvert sur l'exchange : rien à relire.
    assert await open_trades_sync(broker=broker, still_open={limit.exchange_order_id, "987654321"}) == 0
    sim.set_price("BTCUSDT", "58000", freeze=True)  # le simulateur exécute l'ordre limite
    assert await open_trades_sync(broker=broker, still_open=set(), symbol="BTCUSDT") == 2
    await limit.arefresh_from_db()
    assert (limit.status, limit.price) == (Trade.Status.FILLED, Decimal("59000"))
    assert limit.quantity == Decimal("0.001")
    await ghost.arefresh_from_db()
    assert ghost.status == Trade.Status.UNKNOWN and "statut inconnu" in ghost.error_message
    assert await open_trades_sync(broker=broker, still_open=set()) == 0  # ni l'un ni l'autre relu à nouveau
