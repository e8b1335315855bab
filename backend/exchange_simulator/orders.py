"""Ordres, exécutions et listes d'ordres (OCO), avec leur sérialisation au format Binance."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .accounts import ZERO

OPEN_STATUSES = ("NEW", "PARTIALLY_FILLED")
STOP_TYPES = ("STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
LIMIT_TYPES = ("LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")


def d8(value: Decimal) -> str:
    return f"{value:.8f}"


@dataclass
class Fill:
    """Une exécution (une ligne de ``myTrades`` et de ``fills``)."""

    trade_id: int
    order_id: int
    order_list_id: int
    symbol: str
    price: Decimal
    qty: Decimal
    quote_qty: Decimal
    commission: Decimal
    commission_asset: str
    time: int
    is_buyer: bool
    is_maker: bool

    def order_fill(self) -> dict[str, object]:
        return {
            "price": d8(self.price),
            "qty": d8(self.qty),
            "commission": d8(self.commission),
            "commissionAsset": self.commission_asset,
            "tradeId": self.trade_id,
        }

    def my_trade(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "id": self.trade_id,
            "orderId": self.order_id,
            "orderListId": self.order_list_id,
            "price": d8(self.price),
            "qty": d8(self.qty),
            "quoteQty": d8(self.quote_qty),
            "commission": d8(self.commission),
            "commissionAsset": self.commission_asset,
            "time": self.time,
            "isBuyer": self.is_buyer,
            "isMaker": self.is_maker,
            "isBestMatch": True,
        }


@dataclass
class Order:
    """Un ordre spot ; ``working`` passe à vrai au déclenchement d'un ordre stop."""

    api_key: str
    symbol: str
    order_id: int
    client_order_id: str
    side: str
    type: str
    time_in_force: str
    price: Decimal
    orig_qty: Decimal
    stop_price: Decimal
    orig_quote_qty: Decimal
    time: int
    status: str = "NEW"
    executed_qty: Decimal = ZERO
    cum_quote: Decimal = ZERO
    update_time: int = 0
    working_time: int = -1
    order_list_id: int = -1
    locked_asset: str = ""
    locked_amount: Decimal = ZERO
    fills: list[Fill] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def working(self) -> bool:
        return self.working_time >= 0

    @property
    def is_stop(self) -> bool:
        return self.type in STOP_TYPES

    def _common(self) -> dict[str, object]:
        data: dict[str, object] = {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "orderListId": self.order_list_id,
            "clientOrderId": self.client_order_id,
            "price": d8(self.price),
            "origQty": d8(self.orig_qty),
            "executedQty": d8(self.executed_qty),
            "cummulativeQuoteQty": d8(self.cum_quote),
            "status": self.status,
            "timeInForce": self.time_in_force,
            "type": self.type,
            "side": self.side,
        }
        if self.is_stop:
            data["stopPrice"] = d8(self.stop_price)
        return data

    def ack(self, transact_time: int) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "orderListId": self.order_list_id,
            "clientOrderId": self.client_order_id,
            "transactTime": transact_time,
        }

    def result(self, transact_time: int) -> dict[str, object]:
        data = self.ack(transact_time)
        data.update(self._common())
        data["origQuoteOrderQty"] = d8(self.orig_quote_qty)
        data["workingTime"] = self.working_time
        data["selfTradePreventionMode"] = "EXPIRE_MAKER"
        return data

    def full(self, transact_time: int) -> dict[str, object]:
        data = self.result(transact_time)
        data["fills"] = [fill.order_fill() for fill in self.fills]
        return data

    def query(self) -> dict[str, object]:
        """Format de ``GET /api/v3/order``, ``openOrders`` et ``allOrders``."""
        data = self._common()
        if not self.is_stop:
            data["stopPrice"] = d8(ZERO)
        data.update(
            {
                "icebergQty": d8(ZERO),
                "time": self.time,
                "updateTime": self.update_time,
                "isWorking": self.working,
                "workingTime": self.working_time,
                "origQuoteOrderQty": d8(self.orig_quote_qty),
                "selfTradePreventionMode": "EXPIRE_MAKER",
            }
        )
        return data

    def canceled(self, cancel_client_id: str, transact_time: int) -> dict[str, object]:
        """Réponse de ``DELETE /api/v3/order``."""
        data = self._common()
        data["origClientOrderId"] = self.client_order_id
        data["clientOrderId"] = cancel_client_id
        data["transactTime"] = transact_time
        data["origQuoteOrderQty"] = d8(self.orig_quote_qty)
        data["selfTradePreventionMode"] = "EXPIRE_MAKER"
        return {"symbol": data.pop("symbol"), **data}


@dataclass
class OrderList:
    """Une liste d'ordres OCO : deux jambes, un seul blocage de solde partagé."""

    api_key: str
    list_id: int
    list_client_order_id: str
    symbol: str
    legs: list[Order]
    transaction_time: int
    list_status_type: str = "EXEC_STARTED"
    list_order_status: str = "EXECUTING"
    locked_asset: str = ""
    locked_amount: Decimal = ZERO

    @property
    def is_open(self) -> bool:
        return self.list_order_status == "EXECUTING"

    def summary(self) -> dict[str, object]:
        return {
            "orderListId": self.list_id,
            "contingencyType": "OCO",
            "listStatusType": self.list_status_type,
            "listOrderStatus": self.list_order_status,
            "listClientOrderId": self.list_client_order_id,
            "transactionTime": self.transaction_time,
            "symbol": self.symbol,
            "orders": [
                {"symbol": leg.symbol, "orderId": leg.order_id, "clientOrderId": leg.client_order_id}
                for leg in self.legs
            ],
        }

    def with_reports(self, transact_time: int) -> dict[str, object]:
        data = self.summary()
        data["orderReports"] = [leg.result(transact_time) for leg in self.legs]
        return data
