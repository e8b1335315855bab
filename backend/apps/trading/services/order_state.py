"""Recopie de l'état d'un ordre CCXT sur sa ligne `Trade` (statut, exécution, frais valorisés)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from apps.core.exceptions import AristobotError
from apps.core.numbers import to_decimal
from apps.core.services.exchange_errors import exchange_call
from apps.trading.models import Trade

logger = logging.getLogger(__name__)

_STATUS_MAP = {"closed": Trade.Status.FILLED, "canceled": Trade.Status.CANCELED}


def _from_ms(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    return dt.datetime.fromtimestamp(int(value) / 1000, tz=dt.UTC)


def fees_apply(trade: Trade, fees: list[dict[str, Any]], market: dict[str, Any] | None) -> None:
    """Frais (actif principal) et leur valeur en cotation ; un actif tiers (BNB) n'est pas valorisé."""
    base, quote = (market or {}).get("base"), (market or {}).get("quote")
    fee_asset, fee_total, fee_quote = "", Decimal(0), Decimal(0)
    for fee in fees:
        amount, currency = to_decimal(fee.get("cost")) or Decimal(0), fee.get("currency") or ""
        if not fee_asset and currency:
            fee_asset = currency
        if currency == fee_asset:
            fee_total += amount
        if currency == quote:
            fee_quote += amount
        elif currency == base and trade.price is not None:
            fee_quote += amount * trade.price
    trade.fee, trade.fee_asset, trade.fee_quote = fee_total, fee_asset[:20], fee_quote


async def fees_complete(exchange: Any, trade: Trade, market: dict[str, Any]) -> None:
    """Frais d'un ordre exécuté dont la réponse n'en donne pas (GET order) : lus dans ses exécutions."""
    if trade.quantity <= 0 or trade.fee or not trade.exchange_order_id:
        return
    order_id, symbol = trade.exchange_order_id, market["symbol"]
    try:
        if exchange.has.get("fetchOrderTrades"):
            fills = await exchange_call(
                exchange, lambda: exchange.fetch_order_trades(order_id, symbol), safe=True
            )
        elif exchange.has.get("fetchMyTrades"):
            fills = await exchange_call(
                exchange, lambda: exchange.fetch_my_trades(symbol, params={"orderId": order_id}), safe=True
            )
        else:
            return
    except AristobotError as exc:  # les frais sont un complément : l'état de l'ordre reste juste
        logger.warning("Frais de l'ordre %s non lus : %s", order_id, exc)
        return
    fees = [f["fee"] for f in fills if str(f.get("order") or order_id) == order_id and f.get("fee")]
    if fees:
        fees_apply(trade, fees, market)


def order_apply(trade: Trade, order: dict[str, Any], market: dict[str, Any] | None) -> None:
    """Recopie l'état d'un ordre CCXT sur la ligne `Trade` (sans sauvegarder)."""
    filled = to_decimal(order.get("filled")) or Decimal(0)
    cost = to_decimal(order.get("cost"))
    average = to_decimal(order.get("average"))
    if average is None and filled and cost:
        average = cost / filled
    if cost is None and average is not None:
        cost = filled * average
    status = order.get("status")
    if status == "open":
        trade.status = Trade.Status.PARTIALLY_FILLED if filled > 0 else Trade.Status.OPEN
    elif status in _STATUS_MAP:
        trade.status = _STATUS_MAP[status]
    elif status in ("expired", "rejected"):
        trade.status = Trade.Status.CANCELED if filled > 0 else Trade.Status.ERROR
        if filled <= 0:
            trade.error_message = f"Ordre {'expiré' if status == 'expired' else 'rejeté'} sans exécution."
    else:
        trade.status = Trade.Status.OPEN if order.get("id") else trade.status
    trade.exchange_order_id = str(order.get("id") or trade.exchange_order_id or "")
    trade.quantity = filled
    trade.price = average
    trade.cost = cost or Decimal(0)
    fees = [f for f in (order.get("fees") or ([order["fee"]] if order.get("fee") else [])) if f]
    if fees:  # une réponse sans frais (annulation, GET order) garde ceux déjà connus
        fees_apply(trade, fees, market)
    info = order.get("info")
    trade.raw_response = info if isinstance(info, dict) else {"info": info}
    if filled > 0 and trade.executed_at is None:
        trade.executed_at = _from_ms(order.get("lastTradeTimestamp") or order.get("timestamp")) or (
            dt.datetime.now(tz=dt.UTC)
        )


#: Statuts d'un ordre qui a pu être (au moins en partie) exécuté (un ordre annulé a pu l'être).
EXECUTED = (Trade.Status.FILLED, Trade.Status.PARTIALLY_FILLED, Trade.Status.CANCELED)


def executed(trade: Trade) -> bool:
    """Vrai si l'ordre a été (au moins en partie) exécuté."""
    return trade.status in EXECUTED and trade.quantity > 0


def split_symbol(symbol: str) -> tuple[str, str]:
    """`BTC/USDT` (ou `BTC/USDT:USDT`) → (`BTC`, `USDT`)."""
    base, _, quote = symbol.partition("/")
    return base, quote.split(":")[0]
