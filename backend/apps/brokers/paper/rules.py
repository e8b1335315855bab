"""Règles d'ordre du venue papier : celles de l'exchange (précision, minimums), et les structures
CCXT (ordre, solde) rendues à l'application.

Les contrôles reprennent ce que ferait l'exchange après les arrondis de CCXT : quantité arrondie
au pas (`amount_to_precision`), prix au pas de cotation (`price_to_precision`), quantité et montant
minimums/maximums du marché. Les refus sont des exceptions CCXT portant le message de Binance
(`Filter failure: LOT_SIZE`…) : la couche exchange les traduit en français comme ceux d'un vrai
compte (« Ordre refusé par Binance (papier) : Filter failure: NOTIONAL »).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import ccxt

from apps.brokers.models import PaperBalance, PaperOrder
from apps.brokers.paper.ledger import OrderRequest, timestamp_ms
from apps.core.numbers import to_decimal

STOP_PARAMS = ("stopPrice", "stopLossPrice", "takeProfitPrice", "triggerPrice", "stopLoss", "takeProfit")
CLIENT_ID_PARAMS = ("newClientOrderId", "clientOrderId", "origClientOrderId")


def client_order_id(params: dict[str, Any] | None) -> str:
    """L'identifiant client d'un ordre, quel que soit le nom du paramètre (Binance ou unifié)."""
    for key in CLIENT_ID_PARAMS:
        value = (params or {}).get(key)
        if value:
            return str(value)[:64]
    return ""


def fee_rate(market: dict[str, Any], kind: str) -> Decimal:
    """Taux de frais du marché (`taker` ou `maker`), 0 s'il est inconnu ou absurde."""
    rate = to_decimal(market.get(kind))
    return rate if rate is not None and 0 <= rate < 1 else Decimal(0)


def positive(value: Any, what: str) -> Decimal:
    number = to_decimal(value)
    if number is None or number <= 0:
        raise ccxt.InvalidOrder(f"Illegal characters found in parameter '{what}'; legal range is > 0.")
    return number


def _bounds(value: Decimal, limits: dict[str, Any] | None, failure: str) -> None:
    low, high = to_decimal((limits or {}).get("min")), to_decimal((limits or {}).get("max"))
    if (low and value < low) or (high and value > high):
        raise ccxt.InvalidOrder(f"Filter failure: {failure}")


def precise_amount(data: Any, symbol: str, amount: Any) -> Decimal:
    """Quantité au pas du marché (tronquée comme CCXT le fait avant l'envoi), contrôlée (LOT_SIZE)."""
    raw = positive(amount, "quantity")
    precise = Decimal(data.amount_to_precision(symbol, float(raw)))
    if precise <= 0:
        raise ccxt.InvalidOrder("Filter failure: LOT_SIZE")
    _bounds(precise, (data.markets[symbol].get("limits") or {}).get("amount"), "LOT_SIZE")
    return precise


def precise_price(data: Any, symbol: str, price: Any) -> Decimal:
    """Prix limite au pas de cotation, contrôlé (PRICE_FILTER)."""
    raw = positive(price, "price")
    precise = Decimal(data.price_to_precision(symbol, float(raw)))
    if precise <= 0:
        raise ccxt.InvalidOrder("Filter failure: PRICE_FILTER")
    _bounds(precise, (data.markets[symbol].get("limits") or {}).get("price"), "PRICE_FILTER")
    return precise


def notional_check(market: dict[str, Any], amount: Decimal, price: Decimal) -> None:
    """Montant de l'ordre (quantité × prix) dans les bornes du marché (NOTIONAL)."""
    _bounds(amount * price, (market.get("limits") or {}).get("cost"), "NOTIONAL")


def order_kind_check(*, order_type: str, side: str, params: dict[str, Any] | None) -> None:
    """Refuse ce que le venue papier ne sait pas faire (stops, OCO, types inconnus)."""
    if any((params or {}).get(key) is not None for key in STOP_PARAMS):
        raise ccxt.NotSupported("ordres stop non pris en charge en papier (SL/TP surveillés par le moteur).")
    if order_type not in ("market", "limit"):
        raise ccxt.InvalidOrder(f"type d'ordre « {order_type} » non pris en charge en papier.")
    if side not in ("buy", "sell"):
        raise ccxt.InvalidOrder(f"sens d'ordre « {side} » invalide.")


def order_request(market: dict[str, Any], *, order_type: str, side: str, amount: Decimal,
                  limit_price: Decimal | None, params: dict[str, Any] | None) -> OrderRequest:
    """Ordre prêt pour le grand livre (identifiant client repris des paramètres, sinon neuf)."""
    return OrderRequest(
        symbol=market["symbol"], base=market["base"], quote=market["quote"], side=side,
        order_type=order_type, amount=amount, limit_price=limit_price,
        client_order_id=client_order_id(params) or f"paper{uuid.uuid4().hex}",
    )


def _iso(ms: int | None) -> str | None:
    return ccxt.Exchange.iso8601(ms) if ms is not None else None


def order_dict(order: PaperOrder) -> dict[str, Any]:
    """Un ordre papier dans la structure unifiée de CCXT (nombres en float, comme CCXT)."""
    created, last_fill = timestamp_ms(order.created_at), timestamp_ms(order.filled_at)
    fee = None
    if order.filled:
        fee = {"cost": float(order.fee), "currency": order.fee_currency, "rate": float(order.fee_rate)}
    return {
        "id": str(order.pk), "clientOrderId": order.client_order_id,
        "timestamp": created, "datetime": _iso(created), "lastTradeTimestamp": last_fill,
        "symbol": order.symbol, "type": order.order_type, "side": order.side,
        "timeInForce": "GTC" if order.order_type == "limit" else "IOC",
        "price": float(order.price if order.price is not None else order.average or 0) or None,
        "average": float(order.average) if order.average is not None else None,
        "amount": float(order.amount), "filled": float(order.filled),
        "remaining": float(order.amount - order.filled), "cost": float(order.cost),
        "status": order.status, "fee": fee, "fees": [fee] if fee else [], "trades": [],
        "info": {
            "paper": True, "orderId": str(order.pk), "clientOrderId": order.client_order_id,
            "status": order.status, "executedQty": str(order.filled), "cost": str(order.cost),
            "fee": str(order.fee), "feeAsset": order.fee_currency,
        },
    }


def balance_dict(rows: list[PaperBalance]) -> dict[str, Any]:
    """Les soldes papier dans la structure unifiée de CCXT (`free`, `used`, `total` par actif)."""
    result: dict[str, Any] = {
        "info": {"paper": True, "balances": [
            {"asset": r.asset, "free": str(r.free), "locked": str(r.locked)} for r in rows]},
        "free": {}, "used": {}, "total": {},
    }
    for row in rows:
        free, used = float(row.free), float(row.locked)
        entry = {"free": free, "used": used, "total": float(row.free + row.locked)}
        result[row.asset] = entry
        for key in ("free", "used", "total"):
            result[key][row.asset] = entry[key]
    return result
