"""Trading manuel : passage d'ordres et portefeuille du broker choisi.

Les lectures (portefeuille, ordres ouverts) n'écrivent rien ; le rattrapage du journal est une
action explicite (`manual_journal_sync`, POST) en plus du passage minute du moteur.

Les vues DRF sont synchrones : l'ordre est passé par `apps.trading.services.orders.order_place` sur la
boucle dédiée du processus (`exchange_loop_run`), qui possède les instances CCXT partagées. Toute
tentative arrivée jusque-là est une ligne `trades` (source `manual`), échecs compris.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from apps.brokers.models import Broker
from apps.brokers.services import broker_balance_fetch, broker_journal_sync, broker_open_orders_fetch
from apps.core.exceptions import ThrottledError
from apps.core.ratelimit import SlidingWindowLimiter, wait_text
from apps.core.services.exchange_loop import exchange_loop_run
from apps.trading.models import Trade
from apps.trading.services.orders import order_place
from apps.trading_manual.selectors import order_origins_get

#: Rattrapages demandés par la page (ouverture, « Actualiser », après un ordre) : par utilisateur.
_sync_limiter = SlidingWindowLimiter(limit=30, window_s=60.0)


def manual_order_place(
    *,
    broker: Broker,
    symbol: str,
    side: str,
    order_type: str = Trade.OrderType.MARKET,
    quantity: Decimal | None = None,
    quote_amount: Decimal | None = None,
    price: Decimal | None = None,
) -> Trade:
    """Passe un ordre manuel (marché ou limite, en quantité OU en montant) ; renvoie sa ligne `Trade`.

    Contrat de `order_place` : `trade.status` vaut `error` (+ `error_message` en français) si les
    contrôles (symbole, minimums) ou l'exchange (solde, filtres) ont refusé l'ordre, `unknown` si la
    réponse a été perdue et l'ordre introuvable. Lève `AristobotError` pour des arguments invalides.
    """
    return exchange_loop_run(
        order_place(
            broker=broker, symbol=symbol, side=side, order_type=order_type, quantity=quantity,
            quote_amount=quote_amount, price=price, source=Trade.Source.MANUAL,
            role=Trade.Role.MANUAL,
        )
    )


def manual_portfolio_fetch(*, broker: Broker) -> dict[str, Any]:
    """Portefeuille du broker : actifs non nuls (disponible, bloqué, total), valeur USD et total."""
    balance = broker_balance_fetch(broker=broker)
    return {
        "broker": {
            "id": broker.pk, "name": broker.name, "exchange": broker.exchange,
            "is_testnet": broker.is_testnet, "is_paper": broker.is_paper, "venue": broker.venue,
        },
        "exchange": balance.get("exchange") or broker.exchange,
        "balances": balance.get("balances") or [],
        "total_usd": balance.get("total_usd") or Decimal(0),
        "fetched_at": dt.datetime.now(tz=dt.UTC),
    }


def manual_open_orders_fetch(*, broker: Broker, symbol: str | None = None) -> list[dict[str, Any]]:
    """Ordres ouverts du broker (d'un symbole ou de tous), chacun avec son `origin` d'après le journal
    `trades` (None pour un ordre passé hors d'Aristobot) : la page signale ainsi les protections
    SL/TP d'une stratégie avant qu'on les annule. Lecture seule : le journal est rattrapé par
    `manual_journal_sync` (POST) et par le moteur."""
    orders = broker_open_orders_fetch(broker=broker, symbol=symbol)
    origins = order_origins_get(broker=broker, orders=orders)
    return [{**order, "origin": origins.get(str(order.get("id") or ""))} for order in orders]


def manual_journal_sync(*, broker: Broker, symbol: str | None = None) -> dict[str, Any]:
    """« Rattraper » (POST) : lignes `trades` encore ouvertes relues sur l'exchange, ordres limites
    papier croisés exécutés ; la page relit ensuite portefeuille, ordres ouverts et journal.
    Débit limité par utilisateur (429 en français)."""
    wait = _sync_limiter.hit(str(broker.user_id))
    if wait:
        raise ThrottledError(f"Trop de rattrapages demandés : réessayez dans {wait_text(wait)}.",
                             retry_after=wait)
    synced = broker_journal_sync(broker=broker, symbol=symbol)
    return {"broker": broker.pk, "synced": synced, "synced_at": dt.datetime.now(tz=dt.UTC)}
