"""Journal rattrapé : les ordres encore « ouverts » dans `trades` qui ne le sont plus sur l'exchange.

Un ordre limite exécuté (ou annulé) plus tard, hors de tout appel de l'application, laisse sa ligne
`trades` au statut `open`. `open_trades_sync` relit ces ordres-là (`order_fetch`, qui met la ligne
à jour, frais et P&L compris). Appelé par le rattrapage du journal (`apps.brokers.journal`) : passage
minute du moteur pour chaque broker qui a des ordres ouverts, et `POST /api/trading-manual/sync/` —
jamais par une lecture (un GET n'écrit pas).
"""

from __future__ import annotations

import logging

from django.db.models import QuerySet

from apps.core.exceptions import AristobotError
from apps.core.services.ccxt_manager import BrokerLike, exchange_get
from apps.core.services.exchange_ops import market_get
from apps.trading.models import Trade
from apps.trading.services.orders import order_fetch

logger = logging.getLogger(__name__)

SYNC_LIMIT = 20  # ordres relus au plus par appel (les suivants au prochain)
OPEN_STATUSES = (Trade.Status.OPEN, Trade.Status.PARTIALLY_FILLED)
PROTECTION_ROLES = (Trade.Role.STOP_LOSS, Trade.Role.TAKE_PROFIT)


def open_rows(broker_id: int | None = None) -> QuerySet[Trade]:
    """Lignes à rattraper : ordres encore ouverts au journal (d'un broker ou de tous), SAUF les
    protections SL/TP d'une stratégie active : le moteur les relit lui-même (`engine.monitor`,
    `protection_status`), clôt la position avec la jambe exécutée et résume la clôture ; les relire
    ici d'abord le priverait de cette clôture."""
    rows = (Trade.objects.filter(status__in=OPEN_STATUSES).exclude(exchange_order_id="")
            .exclude(role__in=PROTECTION_ROLES, active_strategy_id__isnull=False))
    return rows if broker_id is None else rows.filter(broker_id=broker_id)


async def open_trades_sync(*, broker: BrokerLike, still_open: set[str], symbol: str | None = None) -> int:
    """Relit les ordres `open` du journal de ce broker absents de `still_open` (identifiants des
    ordres que l'exchange dit ouverts) ; renvoie le nombre de lignes relues. Un ordre que l'exchange
    ne connaît pas passe `unknown` (à vérifier) : il n'est pas relu à chaque appel."""
    if symbol:
        exchange, market = await market_get(broker, symbol)
    else:
        exchange, market = await exchange_get(broker=broker), None
    if not exchange.has.get("fetchOrder"):
        return 0
    rows = open_rows(broker.id).exclude(exchange_order_id__in=still_open)
    if market is not None:
        rows = rows.filter(symbol=market["symbol"])
    synced = 0
    async for trade in rows.order_by("created_at")[:SYNC_LIMIT]:
        try:
            await order_fetch(broker=broker, symbol=trade.symbol, exchange_order_id=trade.exchange_order_id)
        except AristobotError as exc:
            logger.warning("Ordre %s non relu : %s", trade.exchange_order_id, exc.message)
            if exc.code == "order_not_found":
                trade.status = Trade.Status.UNKNOWN
                trade.error_message = (f"{exc.message} — absent des ordres ouverts : statut inconnu, "
                                       "à vérifier.")
                await trade.asave(update_fields=["status", "error_message", "updated_at"])
        synced += 1
    return synced
