"""État du moteur d'ordres : comptes, ordres, listes, exécutions et index."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from decimal import ROUND_UP, Decimal

from . import errors
from .accounts import Account, make_account
from .orders import Fill, Order, OrderList
from .params import Params
from .symbols import MAX_NUM_ALGO_ORDERS, MAX_NUM_ORDERS, SymbolSpec

Q8 = Decimal("0.00000001")
_ALPHABET = string.ascii_letters + string.digits
RESPONSE_TYPES = ("ACK", "RESULT", "FULL")


def q8(value: Decimal) -> Decimal:
    """Arrondit à 8 décimales (précision des actifs)."""
    return value.quantize(Q8)


def q8_up(value: Decimal) -> Decimal:
    return value.quantize(Q8, rounding=ROUND_UP)


class EngineState:
    """Données partagées par le moteur (placement, appariement, OCO). Tout est en mémoire."""

    def __init__(
        self,
        specs: dict[str, SymbolSpec],
        price_fn: Callable[[str], Decimal],
        now_fn: Callable[[], int],
    ) -> None:
        self.specs = specs
        self.price_fn = price_fn
        self.now_fn = now_fn
        self.accounts: dict[str, Account] = {}
        self.orders: dict[int, Order] = {}
        self.open_orders: dict[str, dict[int, Order]] = {name: {} for name in specs}
        self.lists: dict[int, OrderList] = {}
        self.trades: dict[str, list[Fill]] = {}
        self._client_ids: dict[tuple[str, str, str], int] = {}
        self._list_client_ids: dict[tuple[str, str, str], int] = {}
        self._next_order_id = 1
        self._next_list_id = 1
        self._next_trade_id: dict[str, int] = dict.fromkeys(specs, 1)

    # ----------------------------------------------------------------- comptes
    def assets(self) -> list[str]:
        names = {spec.base for spec in self.specs.values()} | {spec.quote for spec in self.specs.values()}
        return sorted(names)

    def set_account(self, api_key: str, api_secret: str, balances: dict[str, object]) -> Account:
        """Crée ou réinitialise un compte : soldes remplacés, ordres et historique effacés."""
        for order_id in [oid for oid, order in self.orders.items() if order.api_key == api_key]:
            order = self.orders.pop(order_id)
            self.open_orders[order.symbol].pop(order_id, None)
        for list_id in [lid for lid, lst in self.lists.items() if lst.api_key == api_key]:
            del self.lists[list_id]
        self._client_ids = {k: v for k, v in self._client_ids.items() if k[0] != api_key}
        self._list_client_ids = {k: v for k, v in self._list_client_ids.items() if k[0] != api_key}
        self.trades[api_key] = []
        account = make_account(api_key, api_secret, balances)
        account.update_time = self.now_fn()
        self.accounts[api_key] = account
        return account

    # ----------------------------------------------------------------- identifiants
    def new_order_id(self) -> int:
        value = self._next_order_id
        self._next_order_id += 1
        return value

    def new_list_id(self) -> int:
        value = self._next_list_id
        self._next_list_id += 1
        return value

    def new_trade_id(self, symbol: str) -> int:
        value = self._next_trade_id[symbol]
        self._next_trade_id[symbol] = value + 1
        return value

    @staticmethod
    def random_client_id() -> str:
        return "".join(secrets.choice(_ALPHABET) for _ in range(22))

    # ----------------------------------------------------------------- index
    def register(self, order: Order) -> None:
        self.orders[order.order_id] = order
        self._client_ids[(order.api_key, order.symbol, order.client_order_id)] = order.order_id
        if order.is_open:
            self.open_orders[order.symbol][order.order_id] = order

    def unindex(self, order: Order) -> None:
        self.open_orders[order.symbol].pop(order.order_id, None)

    def register_list(self, order_list: OrderList) -> None:
        self.lists[order_list.list_id] = order_list
        key = (order_list.api_key, order_list.symbol, order_list.list_client_order_id)
        self._list_client_ids[key] = order_list.list_id

    def client_id_in_use(self, api_key: str, symbol: str, client_id: str) -> bool:
        order_id = self._client_ids.get((api_key, symbol, client_id))
        return order_id is not None and self.orders[order_id].is_open

    def find_order(
        self, api_key: str, symbol: str, order_id: int | None, client_id: str | None
    ) -> Order | None:
        if order_id is not None:
            order = self.orders.get(order_id)
        elif client_id is not None:
            found = self._client_ids.get((api_key, symbol, client_id))
            order = self.orders.get(found) if found is not None else None
        else:
            raise errors.missing_either("orderId", "origClientOrderId")
        if order is None or order.api_key != api_key or order.symbol != symbol:
            return None
        return order

    def find_list(
        self, api_key: str, symbol: str | None, list_id: int | None, client_id: str | None
    ) -> OrderList | None:
        if list_id is not None:
            found = self.lists.get(list_id)
        elif client_id is not None:
            found = None
            for (key, sym, cid), lid in self._list_client_ids.items():
                if key == api_key and cid == client_id and (symbol is None or sym == symbol):
                    found = self.lists.get(lid)
        else:
            raise errors.missing_either("orderListId", "listClientOrderId")
        if found is None or found.api_key != api_key or (symbol is not None and found.symbol != symbol):
            return None
        return found

    def account_orders(self, api_key: str, symbol: str | None, *, open_only: bool) -> list[Order]:
        if open_only:
            pools = [self.open_orders[symbol]] if symbol else list(self.open_orders.values())
            candidates = [order for pool in pools for order in pool.values()]
        else:
            candidates = list(self.orders.values())
        return sorted(
            (o for o in candidates if o.api_key == api_key and (symbol is None or o.symbol == symbol)),
            key=lambda o: o.order_id,
        )

    def current_price(self, symbol: str) -> Decimal:
        return self.price_fn(symbol)

    # ----------------------------------------------------------------- contrôles communs
    @staticmethod
    def read_side(params: Params) -> str:
        side = params.text("side", required=True) or ""
        if side not in ("BUY", "SELL"):
            raise errors.invalid_side()
        return side

    @staticmethod
    def response_type(params: Params, default: str) -> str:
        value = params.text("newOrderRespType") or default
        if value not in RESPONSE_TYPES:
            raise errors.invalid_parameter("newOrderRespType")
        return value

    def check_capacity(self, api_key: str, symbol: str, *, orders: int, algo: int) -> None:
        """Filtres MAX_NUM_ORDERS et MAX_NUM_ALGO_ORDERS (ordres ouverts du compte sur la paire)."""
        mine = [o for o in self.open_orders[symbol].values() if o.api_key == api_key]
        if len(mine) + orders > MAX_NUM_ORDERS:
            raise errors.filter_failure("MAX_NUM_ORDERS")
        if algo and sum(1 for o in mine if o.is_stop) + algo > MAX_NUM_ALGO_ORDERS:
            raise errors.filter_failure("MAX_NUM_ALGO_ORDERS")
