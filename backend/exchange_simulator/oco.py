"""Listes d'ordres OCO : ``POST order/oco`` (ancien format) et ``POST orderList/oco`` (nouveau).

Une OCO bloque le solde une seule fois ; l'activation d'une jambe (exécution de la limite ou
déclenchement du stop) fait expirer l'autre. Annuler une jambe annule toute la liste.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import errors
from .matching import MatchingMixin, marketable, stop_hit
from .orders import STOP_TYPES, Order, OrderList
from .params import Params, check_lot, check_notional, check_price
from .state import q8_up
from .symbols import SymbolSpec

TAKE_SIDE_TYPES = ("LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
STOP_SIDE_TYPES = ("STOP_LOSS", "STOP_LOSS_LIMIT")
LEG_TYPES = TAKE_SIDE_TYPES + STOP_SIDE_TYPES


@dataclass
class LegSpec:
    """Description d'une jambe avant création."""

    order_type: str
    price: Decimal | None
    stop: Decimal | None
    tif: str | None
    client_id: str | None


class OcoMixin(MatchingMixin):
    """Création, annulation et consultation des listes OCO."""

    def _read_leg(self, params: Params, prefix: str) -> LegSpec:
        order_type = params.text(f"{prefix}Type", required=True) or ""
        if order_type not in LEG_TYPES:
            raise errors.invalid_order_type()
        return LegSpec(
            order_type=order_type,
            price=params.decimal(f"{prefix}Price"),
            stop=params.decimal(f"{prefix}StopPrice"),
            tif=params.text(f"{prefix}TimeInForce"),
            client_id=params.client_id(f"{prefix}ClientOrderId"),
        )

    def _check_leg(self, spec: SymbolSpec, side: str, qty: Decimal, leg: LegSpec, last: Decimal) -> Decimal:
        """Valide une jambe ; renvoie son prix de référence (pour le blocage et NOTIONAL)."""
        needs_price = leg.order_type in ("LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")
        if needs_price and leg.price is None:
            raise errors.missing_param("price")
        if leg.order_type in STOP_TYPES and leg.stop is None:
            raise errors.missing_param("stopPrice")
        if leg.order_type.endswith("_LIMIT"):
            if leg.tif is None:
                raise errors.missing_param("timeInForce")
            if leg.tif not in ("GTC", "IOC", "FOK"):
                raise errors.invalid_tif()
        for value in (leg.price, leg.stop):
            if value is not None:
                check_price(spec, value)
        reference = leg.price if leg.price is not None else leg.stop
        assert reference is not None
        check_notional(spec, qty * reference, market=leg.order_type in ("STOP_LOSS", "TAKE_PROFIT"))
        if leg.stop is not None and stop_hit(leg.order_type, side, leg.stop, last, last):
            raise errors.order_rejected(errors.MSG_OCO_PRICES)
        if leg.order_type == "LIMIT_MAKER" and leg.price is not None and marketable(side, leg.price, last):
            raise errors.order_rejected(errors.MSG_OCO_PRICES)
        return reference

    def _create_list(
        self, api_key: str, params: Params, spec: SymbolSpec, side: str, legs: list[LegSpec]
    ) -> dict[str, object]:
        qty = params.decimal("quantity", required=True)
        assert qty is not None
        check_lot(spec, qty, market=False)
        last = self.current_price(spec.symbol)
        references = [self._check_leg(spec, side, qty, leg, last) for leg in legs]
        algo = sum(1 for leg in legs if leg.order_type in STOP_TYPES)
        self.check_capacity(api_key, spec.symbol, orders=len(legs), algo=algo)
        list_client_id = params.client_id("listClientOrderId") or self.random_client_id()
        client_ids = [leg.client_id or self.random_client_id() for leg in legs]
        for client_id in client_ids:
            if self.client_id_in_use(api_key, spec.symbol, client_id):
                raise errors.order_rejected(errors.MSG_DUPLICATE_ORDER)
        if side == "BUY":
            asset, amount = spec.quote, q8_up(qty * max(references))
        else:
            asset, amount = spec.base, qty
        account = self.accounts[api_key]
        account.lock(asset, amount)
        now = self.now_fn()
        order_list = OrderList(
            api_key=api_key,
            list_id=self.new_list_id(),
            list_client_order_id=list_client_id,
            symbol=spec.symbol,
            legs=[],
            transaction_time=now,
            locked_asset=asset,
            locked_amount=amount,
        )
        for leg, client_id in zip(legs, client_ids, strict=True):
            order = Order(
                api_key=api_key,
                symbol=spec.symbol,
                order_id=self.new_order_id(),
                client_order_id=client_id,
                side=side,
                type=leg.order_type,
                time_in_force=leg.tif or "GTC",
                price=leg.price if leg.price is not None else Decimal("0"),
                orig_qty=qty,
                stop_price=leg.stop if leg.stop is not None else Decimal("0"),
                orig_quote_qty=Decimal("0"),
                time=now,
                update_time=now,
                working_time=-1 if leg.order_type in STOP_TYPES else now,
                order_list_id=order_list.list_id,
            )
            order_list.legs.append(order)
            self.register(order)
        self.register_list(order_list)
        return order_list.with_reports(now)

    # ----------------------------------------------------------------- POST order/oco
    def new_oco_legacy(self, api_key: str, params: Params) -> dict[str, object]:
        """Ancien format : ``price`` (LIMIT_MAKER), ``stopPrice`` et ``stopLimitPrice`` optionnel."""
        spec = params.symbol(self.specs)
        assert spec is not None
        side = self.read_side(params)
        stop_limit = params.decimal("stopLimitPrice")
        tif = params.text("stopLimitTimeInForce")
        if stop_limit is not None and tif is None:
            raise errors.missing_param("stopLimitTimeInForce")
        stop_leg = LegSpec(
            order_type="STOP_LOSS_LIMIT" if stop_limit is not None else "STOP_LOSS",
            price=stop_limit,
            stop=params.decimal("stopPrice", required=True),
            tif=tif if stop_limit is not None else None,
            client_id=params.client_id("stopClientOrderId"),
        )
        limit_leg = LegSpec(
            order_type="LIMIT_MAKER",
            price=params.decimal("price", required=True),
            stop=None,
            tif=None,
            client_id=params.client_id("limitClientOrderId"),
        )
        return self._create_list(api_key, params, spec, side, [stop_leg, limit_leg])

    # ----------------------------------------------------------------- POST orderList/oco
    def new_oco_list(self, api_key: str, params: Params) -> dict[str, object]:
        """Nouveau format : jambes ``above*`` et ``below*``."""
        spec = params.symbol(self.specs)
        assert spec is not None
        side = self.read_side(params)
        above, below = self._read_leg(params, "above"), self._read_leg(params, "below")
        take, stop = (above, below) if side == "SELL" else (below, above)
        if take.order_type not in TAKE_SIDE_TYPES or stop.order_type not in STOP_SIDE_TYPES:
            raise errors.BinanceError(-1014, "Unsupported order combination.")
        return self._create_list(api_key, params, spec, side, [below, above])

    # ----------------------------------------------------------------- annulation / consultation
    def cancel_list_legs(self, order_list: OrderList, now: int) -> None:
        for leg in order_list.legs:
            if leg.is_open:
                leg.status = "CANCELED"
                leg.update_time = now
                self.unindex(leg)
            self.release_lock(leg)
        if order_list.locked_amount > 0:
            self.accounts[order_list.api_key].unlock(order_list.locked_asset, order_list.locked_amount)
            order_list.locked_amount = Decimal("0")
        order_list.list_status_type = "ALL_DONE"
        order_list.list_order_status = "ALL_DONE"
        order_list.transaction_time = now

    def cancel_order_list(self, api_key: str, params: Params) -> dict[str, object]:
        spec = params.symbol(self.specs)
        assert spec is not None
        order_list = self.find_list(
            api_key, spec.symbol, params.integer("orderListId"), params.text("listClientOrderId")
        )
        if order_list is None or not order_list.is_open:
            raise errors.cancel_rejected("Order list does not exist.")
        now = self.now_fn()
        self.cancel_list_legs(order_list, now)
        return order_list.with_reports(now)

    def query_order_list(self, api_key: str, params: Params) -> dict[str, object]:
        order_list = self.find_list(
            api_key, None, params.integer("orderListId"), params.text("origClientOrderId")
        )
        if order_list is None:
            raise errors.order_list_does_not_exist()
        return order_list.summary()

    def list_order_lists(self, api_key: str, params: Params, *, open_only: bool) -> list[dict[str, object]]:
        from_id = params.integer("fromId")
        start, end = params.integer("startTime"), params.integer("endTime")
        limit = params.limit(500, 1000)
        selected = [
            lst
            for lst in sorted(self.lists.values(), key=lambda item: item.list_id)
            if lst.api_key == api_key
            and (not open_only or lst.is_open)
            and (from_id is None or lst.list_id >= from_id)
            and (start is None or lst.transaction_time >= start)
            and (end is None or lst.transaction_time <= end)
        ]
        return [lst.summary() for lst in selected[:limit]]
