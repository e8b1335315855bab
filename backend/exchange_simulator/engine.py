"""Moteur d'ordres spot : création, annulation et consultation des ordres (hors OCO)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal

from . import errors
from .matching import MARKET_LIKE, marketable, stop_hit
from .oco import OcoMixin
from .orders import LIMIT_TYPES, STOP_TYPES, Order
from .params import Params, check_lot, check_notional, check_price, floor_to_step
from .state import q8_up
from .symbols import ORDER_TYPES, SymbolSpec

TIME_IN_FORCE = ("GTC", "IOC", "FOK")


@dataclass
class OrderRequest:
    """Paramètres lus d'un ``POST /api/v3/order`` (``qty`` calculée pour un ``quoteOrderQty``)."""

    symbol: str
    side: str
    order_type: str
    time_in_force: str | None
    price: Decimal | None
    stop: Decimal | None
    qty: Decimal | None
    quote_qty: Decimal | None
    client_id: str
    response_type: str


class TradingEngine(OcoMixin):
    """Point d'entrée des endpoints signés ; chaque méthode renvoie le JSON Binance."""

    # ----------------------------------------------------------------- blocage
    def lock_for(self, spec: SymbolSpec, side: str, qty: Decimal, ref_price: Decimal) -> tuple[str, Decimal]:
        """Actif et montant à bloquer pour un ordre en attente."""
        if side == "BUY":
            return spec.quote, q8_up(qty * ref_price)
        return spec.base, qty

    # ----------------------------------------------------------------- POST /api/v3/order
    def new_order(self, api_key: str, params: Params) -> dict[str, object]:
        request = self._read_order(params)
        spec = self.specs[request.symbol]
        last = self.current_price(spec.symbol)
        self._validate_order(api_key, spec, request, last)
        order = self._place_order(api_key, spec, request, last)
        now = order.time
        if request.response_type == "ACK":
            return order.ack(now)
        return order.result(now) if request.response_type == "RESULT" else order.full(now)

    def _read_order(self, params: Params) -> OrderRequest:
        """Lecture et cohérence des paramètres (codes -1100 à -1117)."""
        spec = params.symbol(self.specs)
        assert spec is not None
        side = self.read_side(params)
        order_type = params.text("type", required=True) or ""
        if order_type not in ORDER_TYPES:
            raise errors.invalid_order_type()
        tif = params.text("timeInForce")
        if order_type in ("LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"):
            if tif is None:
                raise errors.missing_param("timeInForce")
            if tif not in TIME_IN_FORCE:
                raise errors.invalid_tif()
        elif tif is not None:
            raise errors.tif_not_required()
        price = params.decimal("price")
        if (order_type in LIMIT_TYPES) != (price is not None):
            raise errors.missing_param("price") if price is None else errors.param_not_required("price")
        stop = params.decimal("stopPrice")
        if (order_type in STOP_TYPES) != (stop is not None):
            raise (
                errors.missing_param("stopPrice") if stop is None else errors.param_not_required("stopPrice")
            )
        qty = params.decimal("quantity")
        quote_qty = params.decimal("quoteOrderQty")
        if order_type == "MARKET" and qty is None and quote_qty is None:
            raise errors.missing_either("quantity", "quoteOrderQty")
        if order_type != "MARKET" and qty is None:
            raise errors.missing_param("quantity")
        if quote_qty is not None and (order_type != "MARKET" or qty is not None):
            raise errors.param_not_required("quoteOrderQty")
        default_response = "FULL" if order_type in ("MARKET", "LIMIT") else "ACK"
        return OrderRequest(
            symbol=spec.symbol,
            side=side,
            order_type=order_type,
            time_in_force=tif,
            price=price,
            stop=stop,
            qty=qty,
            quote_qty=quote_qty,
            client_id=params.client_id("newClientOrderId") or self.random_client_id(),
            response_type=self.response_type(params, default_response),
        )

    def _validate_order(self, api_key: str, spec: SymbolSpec, req: OrderRequest, last: Decimal) -> None:
        """Filtres (dans l'ordre de Binance), puis refus du moteur (-2010). Fixe ``req.qty``."""
        market_like = req.order_type in MARKET_LIKE
        for value in (req.price, req.stop):
            if value is not None:
                check_price(spec, value)
        if req.quote_qty is not None:
            check_notional(spec, req.quote_qty, market=True)
            req.qty = floor_to_step(req.quote_qty / last, spec.step_size)
            check_lot(spec, req.qty, market=True)
        else:
            assert req.qty is not None
            check_lot(spec, req.qty, market=market_like)
            reference = req.price if req.price is not None else (req.stop if req.stop is not None else last)
            check_notional(spec, req.qty * reference, market=market_like)
        if req.order_type != "MARKET":
            algo = int(req.order_type in STOP_TYPES)
            self.check_capacity(api_key, spec.symbol, orders=1, algo=algo)
        if self.client_id_in_use(api_key, spec.symbol, req.client_id):
            raise errors.order_rejected(errors.MSG_DUPLICATE_ORDER)
        if req.stop is not None and stop_hit(req.order_type, req.side, req.stop, last, last):
            raise errors.order_rejected(errors.MSG_WOULD_TRIGGER)
        if (
            req.order_type == "LIMIT_MAKER"
            and req.price is not None
            and marketable(req.side, req.price, last)
        ):
            raise errors.order_rejected(errors.MSG_WOULD_TAKE)

    def _place_order(self, api_key: str, spec: SymbolSpec, req: OrderRequest, last: Decimal) -> Order:
        """Crée l'ordre : exécution immédiate, expiration (IOC/FOK) ou attente avec blocage."""
        assert req.qty is not None
        now = self.now_fn()
        order = Order(
            api_key=api_key,
            symbol=spec.symbol,
            order_id=0,
            client_order_id=req.client_id,
            side=req.side,
            type=req.order_type,
            time_in_force=req.time_in_force or "GTC",
            price=req.price if req.price is not None else Decimal("0"),
            orig_qty=req.qty,
            stop_price=req.stop if req.stop is not None else Decimal("0"),
            orig_quote_qty=req.quote_qty if req.quote_qty is not None else Decimal("0"),
            time=now,
            update_time=now,
        )
        account = self.accounts[api_key]
        immediate = req.order_type == "MARKET" or (
            req.order_type == "LIMIT" and req.price is not None and marketable(req.side, req.price, last)
        )
        ref_price = last if req.order_type == "MARKET" else (req.price if req.price is not None else req.stop)
        assert ref_price is not None
        asset, amount = self.lock_for(spec, req.side, req.qty, ref_price)
        if amount > account.free(asset):
            raise errors.order_rejected(errors.MSG_INSUFFICIENT_BALANCE)
        order.order_id = self.new_order_id()
        if immediate:
            order.working_time = now
            self.register(order)
            self.execute(order, last, maker=False, now=now)
        elif req.order_type == "LIMIT" and req.time_in_force in ("IOC", "FOK"):
            order.working_time = now
            order.status = "EXPIRED"
            self.register(order)
        else:
            account.lock(asset, amount)
            order.locked_asset, order.locked_amount = asset, amount
            if not order.is_stop:
                order.working_time = now
            self.register(order)
        return order

    # ----------------------------------------------------------------- annulation
    def cancel_order(self, api_key: str, params: Params) -> dict[str, object]:
        spec = params.symbol(self.specs)
        assert spec is not None
        order = self.find_order(
            api_key, spec.symbol, params.integer("orderId"), params.text("origClientOrderId")
        )
        if order is None or not order.is_open:
            raise errors.cancel_rejected()
        cancel_id = params.client_id("newClientOrderId") or self.random_client_id()
        now = self.now_fn()
        order_list = self.lists.get(order.order_list_id)
        if order_list is not None:
            self.cancel_list_legs(order_list, now)
        else:
            self.finish(order, "CANCELED", now)
        return order.canceled(cancel_id, now)

    def cancel_open_orders(self, api_key: str, params: Params) -> list[dict[str, object]]:
        """``DELETE /api/v3/openOrders`` : annule tout sur la paire (-2011 s'il n'y a rien)."""
        spec = params.symbol(self.specs)
        assert spec is not None
        now = self.now_fn()
        results: list[dict[str, object]] = []
        for order_list in [
            lst
            for lst in self.lists.values()
            if lst.api_key == api_key and lst.symbol == spec.symbol and lst.is_open
        ]:
            self.cancel_list_legs(order_list, now)
            results.append(order_list.with_reports(now))
        for order in self.account_orders(api_key, spec.symbol, open_only=True):
            self.finish(order, "CANCELED", now)
            results.append(order.canceled(self.random_client_id(), now))
        if not results:
            raise errors.cancel_rejected()
        return results

    # ----------------------------------------------------------------- consultation
    def query_order(self, api_key: str, params: Params) -> dict[str, object]:
        spec = params.symbol(self.specs)
        assert spec is not None
        order = self.find_order(
            api_key, spec.symbol, params.integer("orderId"), params.text("origClientOrderId")
        )
        if order is None:
            raise errors.order_does_not_exist()
        return order.query()

    def list_open_orders(self, api_key: str, params: Params) -> list[dict[str, object]]:
        spec = params.symbol(self.specs, required=False)
        orders = self.account_orders(api_key, spec.symbol if spec else None, open_only=True)
        return [order.query() for order in orders]

    def list_all_orders(self, api_key: str, params: Params) -> list[dict[str, object]]:
        spec = params.symbol(self.specs)
        assert spec is not None
        orders = self.account_orders(api_key, spec.symbol, open_only=False)
        from_id = params.integer("orderId")
        start, end = params.integer("startTime"), params.integer("endTime")
        limit = params.limit(500, 1000)
        selected = [
            o
            for o in orders
            if (from_id is None or o.order_id >= from_id)
            and (start is None or o.time >= start)
            and (end is None or o.time <= end)
        ]
        chosen = selected[:limit] if from_id is not None or start is not None else selected[-limit:]
        return [order.query() for order in chosen]

    def list_my_trades(self, api_key: str, params: Params) -> list[dict[str, object]]:
        spec = params.symbol(self.specs)
        assert spec is not None
        order_id, from_id = params.integer("orderId"), params.integer("fromId")
        start, end = params.integer("startTime"), params.integer("endTime")
        limit = params.limit(500, 1000)
        selected = [
            f
            for f in self.trades.get(api_key, [])
            if f.symbol == spec.symbol
            and (order_id is None or f.order_id == order_id)
            and (from_id is None or f.trade_id >= from_id)
            and (start is None or f.time >= start)
            and (end is None or f.time <= end)
        ]
        chosen = selected[:limit] if from_id is not None or start is not None else selected[-limit:]
        return [fill.my_trade() for fill in chosen]

    def account_info(self, api_key: str, params: Params) -> dict[str, object]:
        account = self.accounts[api_key]
        rows = account.balance_rows(self.assets())
        if params.text("omitZeroBalances") == "true":
            rows = [r for r in rows if Decimal(r["free"]) != 0 or Decimal(r["locked"]) != 0]
        return {
            "makerCommission": 10,
            "takerCommission": 10,
            "buyerCommission": 0,
            "sellerCommission": 0,
            "commissionRates": {
                "maker": "0.00100000",
                "taker": "0.00100000",
                "buyer": "0.00000000",
                "seller": "0.00000000",
            },
            "canTrade": True,
            "canWithdraw": True,
            "canDeposit": True,
            "brokered": False,
            "requireSelfTradePrevention": False,
            "preventSor": False,
            "updateTime": account.update_time,
            "accountType": "SPOT",
            "balances": rows,
            "permissions": ["SPOT"],
            "uid": zlib.crc32(api_key.encode()) % 10**9,
        }
