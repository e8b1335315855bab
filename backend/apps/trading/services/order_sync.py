"""Journal rattrapé : les ordres encore « ouverts » dans `trades` qui ne le sont plus sur l'exchange.

Un ordre limite exécuté (ou annulé) plus tard, hors de tout appel de l'application, laisse sa ligne
`trades` au statut `open`. `open_trades_sync` relit ces ordres-là (`order_fetch`, qui met la ligne
à jour, frais et P&L compris). Appelé par le rattrapage du journal (`apps.brokers.journal`) : passage
minute du moteur pour chaque broker qui a des ordres ouverts, et `POST /api/trading-manual/sync/` —
jamais par une lecture (un GET n'écrit pas).
"""

from __future__ import annotations

import logging

from apps.core.exceptions import AristobotError
from apps.core.services.ccxt_manager import BrokerLike, exchange_get
from apps.core.services.exchange_ops import market_get
from apps.trading.models import Trade
from apps.trading.services.orders import order_fetch

logger = logging.getLogger(__name__)

SYNC_LIMIT = 20  # ordres relus au plus par appel (les suivants au prochain)
OPEN_STATUSES = (Trade.Status.OPEN, Trade.Status.PARTIALLY_FILLED)


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
    rows = (Trade.objects.filter(broker_id=broker.id, status__in=OPEN_STATUSES)
            .exclude(exchange_order_id="").exclude(exchange_order_id__in=still_open))
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
