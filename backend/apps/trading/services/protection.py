"""Stop loss / take profit : posés sur l'exchange quand le marché le permet, sinon surveillés.

Binance spot (CCXT 4.5.90 n'a pas de méthode unifiée pour les OCO spot) :

- SL et TP → une OCO de vente par l'endpoint `POST /api/v3/orderList/oco` (méthode implicite
  `privatePostOrderListOco`) : jambe haute `LIMIT_MAKER` au prix du TP, jambe basse
  `STOP_LOSS_LIMIT` déclenchée au SL avec un prix limite un peu plus bas (glissement toléré) ;
- SL seul → un `STOP_LOSS_LIMIT` (`orders.order_send`, l'unique appel à `create_order`, avec
  `{"stopLossPrice": sl}`) ;
- TP seul → un ordre limite de vente ordinaire (`order_place`).

Tout autre exchange, un marché sans `ocoAllowed`/`STOP_LOSS_LIMIT`, ou un refus de l'exchange →
mode `watched` : le moteur compare le prix aux seuils toutes les minutes et vend au marché.

Chaque jambe est une ligne `trades` créée AVANT l'envoi (rôle `stop_loss`/`take_profit`,
`client_order_id` unique) ; après une réponse perdue, la liste ou l'ordre est recherché par son
identifiant client, jamais renvoyé.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ccxt

from apps.core.exceptions import AristobotError
from apps.core.services.ccxt_manager import BrokerLike
from apps.core.services.exchange_errors import exchange_display, translate_ccxt_error
from apps.core.services.exchange_ops import market_get
from apps.trading.models import Trade
from apps.trading.services.order_state import order_apply
from apps.trading.services.orders import (
    client_order_id_new,
    order_cancel,
    order_fetch,
    order_lookup,
    order_maybe_sent,
    order_place,
    order_send,
)

logger = logging.getLogger(__name__)

EXCHANGE, WATCHED = "exchange", "watched"


@dataclass(frozen=True)
class TradeLinks:
    """À qui rattacher les lignes `trades` (stratégie active ou webhook)."""

    source: str = Trade.Source.STRATEGY
    strategy_id: int | None = None
    active_strategy_id: int | None = None
    webhook_id: int | None = None


@dataclass
class Protection:
    """Résultat de la pose : mode, identifiants d'ordres, lignes créées, raison d'un repli."""

    mode: str = WATCHED
    sl_order_id: str = ""
    tp_order_id: str = ""
    order_list_id: str = ""
    trades: list[Trade] = field(default_factory=list)
    message: str = ""


def protection_prices(
    entry: Decimal, stop_loss: float | None, take_profit: float | None
) -> tuple[Decimal | None, Decimal | None]:
    """Seuils absolus : entrée × (1 − SL) et entrée × (1 + TP) ; 0 ou None = pas de seuil."""
    sl = Decimal(str(stop_loss)) if stop_loss else Decimal(0)
    tp = Decimal(str(take_profit)) if take_profit else Decimal(0)
    return (entry * (1 - sl) if 0 < sl < 1 else None, entry * (1 + tp) if tp > 0 else None)


async def _trade_new(
    broker: BrokerLike, links: TradeLinks, symbol: str, role: str, order_type: str,
    quantity: Decimal, price: Decimal,
) -> Trade:
    return await Trade.objects.acreate(
        user_id=broker.user_id, broker_id=broker.id, exchange=broker.exchange,
        is_testnet=bool(broker.is_testnet), is_paper=bool(broker.is_paper),
        source=links.source, role=role,
        strategy_id=links.strategy_id, active_strategy_id=links.active_strategy_id,
        webhook_id=links.webhook_id, symbol=symbol, side=Trade.Side.SELL, order_type=order_type,
        requested_quantity=quantity, requested_price=price, status=Trade.Status.PENDING,
        client_order_id=client_order_id_new(),
    )


async def _mark_error(trades: list[Trade], message: str) -> None:
    for trade in trades:
        trade.status, trade.error_message = Trade.Status.ERROR, message
        await trade.asave(update_fields=["status", "error_message", "updated_at"])


async def _send(exchange: Any, trades: list[Trade], send: Any, lookup: Any) -> Any | None:
    """Un seul envoi ; après une réponse perdue, la recherche commune (`order_lookup`). Refusé ou
    introuvable : lignes en erreur et `AristobotError`."""
    try:
        return await send()
    except ccxt.BaseError as exc:
        name = exchange_display(exchange)
        message = translate_ccxt_error(exc, name).message
        if order_maybe_sent(exc):
            found, _not_found, _error = await order_lookup(lookup, name=name)
            if found is not None:
                return found
            message += " — ordre introuvable par son identifiant client : non posé."
        await _mark_error(trades, message)
        raise AristobotError(message, code="protection_rejected") from exc


async def _place_oco(
    exchange: Any, market: dict[str, Any], broker: BrokerLike, links: TradeLinks,
    qty: str, stop: str, limit: str, take: str,
) -> Protection:
    sl_trade = await _trade_new(broker, links, market["symbol"], Trade.Role.STOP_LOSS,
                                Trade.OrderType.OCO, Decimal(qty), Decimal(limit))
    tp_trade = await _trade_new(broker, links, market["symbol"], Trade.Role.TAKE_PROFIT,
                                Trade.OrderType.OCO, Decimal(qty), Decimal(take))
    list_id = client_order_id_new()
    params = {
        "symbol": market["id"], "side": "SELL", "quantity": qty, "listClientOrderId": list_id,
        "aboveType": "LIMIT_MAKER", "abovePrice": take, "aboveClientOrderId": tp_trade.client_order_id,
        "belowType": "STOP_LOSS_LIMIT", "belowStopPrice": stop, "belowPrice": limit,
        "belowTimeInForce": "GTC", "belowClientOrderId": sl_trade.client_order_id,
    }
    response = await _send(
        exchange, [sl_trade, tp_trade], lambda: exchange.privatePostOrderListOco(params),
        lambda: exchange.privateGetOrderList({"origClientOrderId": list_id}),
    )
    reports = {r.get("clientOrderId"): r for r in response.get("orderReports") or []}
    legs = {o.get("clientOrderId"): o for o in response.get("orders") or []}
    for trade in (sl_trade, tp_trade):
        report = reports.get(trade.client_order_id) or legs.get(trade.client_order_id) or {}
        if report.get("status"):
            order_apply(trade, exchange.parse_order(report, market), market)
        else:
            trade.status, trade.raw_response = Trade.Status.OPEN, report
        trade.exchange_order_id = str(report.get("orderId") or "")
        await trade.asave()
    return Protection(
        mode=EXCHANGE, sl_order_id=sl_trade.exchange_order_id, tp_order_id=tp_trade.exchange_order_id,
        order_list_id=str(response.get("orderListId") or ""), trades=[sl_trade, tp_trade],
    )


async def _place_stop(
    exchange: Any, market: dict[str, Any], broker: BrokerLike, links: TradeLinks,
    qty: str, stop: str, limit: str,
) -> Protection:
    trade = await _trade_new(broker, links, market["symbol"], Trade.Role.STOP_LOSS,
                             Trade.OrderType.STOP_LOSS_LIMIT, Decimal(qty), Decimal(limit))
    params = {"stopLossPrice": stop, "newClientOrderId": trade.client_order_id}
    order = await _send(
        exchange, [trade],
        lambda: order_send(exchange, symbol=market["symbol"], order_type="limit", side="sell",
                           amount=float(qty), price=float(limit), params=params),
        lambda: exchange.fetch_order(None, market["symbol"], {"origClientOrderId": trade.client_order_id}),
    )
    order_apply(trade, order, market)
    await trade.asave()
    return Protection(mode=EXCHANGE, sl_order_id=trade.exchange_order_id, trades=[trade])


def exchange_supports(exchange: Any, market: dict[str, Any], *, oco: bool) -> bool:
    """Vrai si le SL (et l'OCO si `oco`) peut être posé sur l'exchange pour ce marché."""
    if exchange.id != "binance" or not exchange.has.get("createStopLossOrder"):
        return False  # venue sans ordres stop (papier) : SL/TP surveillés
    info = market.get("info") or {}
    types = info.get("orderTypes") or []
    return "STOP_LOSS_LIMIT" in types and (not oco or bool(info.get("ocoAllowed")))


async def protection_place(
    *, broker: BrokerLike, symbol: str, quantity: Decimal, sl_price: Decimal | None,
    tp_price: Decimal | None, links: TradeLinks, slippage: Decimal,
) -> Protection:
    """Pose SL/TP pour `quantity` ; renvoie le mode retenu (repli `watched` expliqué dans `message`)."""
    if sl_price is None and tp_price is None:
        return Protection(mode=WATCHED)
    try:
        exchange, market = await market_get(broker, symbol)
        qty = exchange.amount_to_precision(market["symbol"], float(quantity))
        if tp_price is not None and sl_price is None:
            trade = await order_place(
                broker=broker, symbol=market["symbol"], side="sell", order_type=Trade.OrderType.LIMIT,
                quantity=qty, price=exchange.price_to_precision(market["symbol"], float(tp_price)),
                source=links.source, role=Trade.Role.TAKE_PROFIT, strategy_id=links.strategy_id,
                active_strategy_id=links.active_strategy_id, webhook_id=links.webhook_id,
            )
            if trade.status in (Trade.Status.ERROR, Trade.Status.UNKNOWN):
                return Protection(trades=[trade], message=trade.error_message)
            return Protection(mode=EXCHANGE, tp_order_id=trade.exchange_order_id, trades=[trade])
        if not exchange_supports(exchange, market, oco=tp_price is not None):
            return Protection(message=f"SL/TP non pris en charge sur l'exchange pour {market['symbol']}.")
        stop = exchange.price_to_precision(market["symbol"], float(sl_price))
        limit = exchange.price_to_precision(market["symbol"], float(Decimal(stop) * (1 - slippage)))
        if tp_price is None:
            return await _place_stop(exchange, market, broker, links, qty, stop, limit)
        take = exchange.price_to_precision(market["symbol"], float(tp_price))
        return await _place_oco(exchange, market, broker, links, qty, stop, limit, take)
    except AristobotError as exc:
        logger.warning("Protection non posée sur %s : %s", symbol, exc.message)
        return Protection(message=exc.message)


async def protection_status(
    *, broker: BrokerLike, symbol: str, order_ids: list[str]
) -> tuple[Trade | None, bool]:
    """(ligne de la jambe exécutée ou None, toutes les jambes mortes ?) — met les lignes à jour.

    Dans une OCO, tant qu'une jambe est ouverte l'autre l'est aussi : on s'arrête à la première
    jambe ouverte (un seul appel dans le cas courant).
    """
    dead = 0
    for order_id in order_ids:
        summary = await order_fetch(broker=broker, symbol=symbol, exchange_order_id=order_id)
        if summary["status"] == "closed" or (summary.get("filled") or 0) > 0:
            trade = await Trade.objects.filter(broker_id=broker.id, exchange_order_id=order_id).afirst()
            if trade is not None:  # frais complétés par order_fetch (myTrades)
                return trade, False
        if summary["status"] == "open":
            return None, False
        dead += 1
    return None, dead == len(order_ids) and dead > 0


async def protection_cancel(
    *, broker: BrokerLike, symbol: str, order_ids: list[str], is_list: bool
) -> Trade | None:
    """Annule les ordres de protection ; renvoie la jambe déjà exécutée s'il y en a une (course)."""
    if not order_ids:
        return None
    targets = order_ids[:1] if is_list else order_ids  # annuler une jambe annule toute l'OCO
    for order_id in targets:
        try:
            await order_cancel(broker=broker, exchange_order_id=order_id, symbol=symbol)
        except AristobotError as exc:
            if exc.code != "order_not_found":
                raise
    # Relit chaque jambe (lignes `trades` mises à jour : annulées, ou exécutée juste avant).
    filled, _ = await protection_status(broker=broker, symbol=symbol, order_ids=order_ids)
    return filled
