"""`PaperExchange` : le venue papier, vu par l'application comme une instance CCXT asynchrone.

`core.services.ccxt_manager.exchange_get` le renvoie pour un broker papier (réglage
`ARISTOBOT_PAPER_EXCHANGE`), une instance par broker et par boucle comme les vraies. Il présente le
sous-ensemble de l'interface CCXT que l'application utilise :

- marché (`load_markets`, `markets`, arrondis, `fetch_ticker(s)`, `fetch_last_prices`,
  `fetch_order_book`, `fetch_ohlcv`) : délégué à l'instance PUBLIQUE partagée de l'exchange
  (sans clés : aucun endpoint privé ne peut être appelé) ;
- compte (`fetch_balance`, `create_order`, `create_market_buy_order_with_cost`, `cancel_order`,
  `fetch_order`, `fetch_open_orders`, `fetch_closed_orders`) : le grand livre en base (`ledger`).

Exécutions : un ordre au marché au meilleur prix du carnet (ask à l'achat, bid à la vente ; dernier
prix si l'exchange n'a pas de carnet), frais « taker » du marché ; un ordre limite déjà croisé
s'exécute de même, sinon il reste ouvert (solde bloqué) et s'exécute à son prix limite, frais
« maker », quand on le demande : `orders_match` (passage minute du moteur et « rattrapage » POST de
la page Trading manuel, `apps.brokers.journal`). Les lectures (`fetch_*`) n'écrivent JAMAIS : un
GET de l'application ne modifie pas le grand livre.
`has` n'annonce ni stop ni OCO : les protections SL/TP des positions sont surveillées par le moteur.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import ccxt
from asgiref.sync import sync_to_async

from apps.brokers.models import PaperOrder
from apps.brokers.paper import ledger, rules
from apps.core.numbers import to_decimal
from apps.core.services.exchange_errors import exchange_display, exchange_message

logger = logging.getLogger(__name__)

#: Capacités lues par l'application. Aucun ordre stop ni OCO, aucun historique d'exécutions.
_OWN_CAPABILITIES = {
    "fetchBalance": True, "createOrder": True, "createMarketOrder": True, "createLimitOrder": True,
    "createMarketBuyOrderWithCost": True, "cancelOrder": True, "fetchOrder": True,
    "fetchOpenOrders": True, "fetchClosedOrders": True, "fetchOrderTrades": False,
    "fetchMyTrades": False, "createStopOrder": False, "createStopLossOrder": False,
    "createStopLimitOrder": False, "createTriggerOrder": False, "createTakeProfitOrder": False,
    "createOrderWithTakeProfitAndStopLoss": False, "sandbox": False, "spot": True,
}
_MARKET_CAPABILITIES = ("fetchTicker", "fetchTickers", "fetchLastPrices", "fetchOrderBook", "fetchOHLCV")


class PaperExchange:
    """Venue papier d'un broker ; `market_data` est l'instance CCXT publique de son exchange."""

    def __init__(self, *, broker_id: int, market_data: Any) -> None:
        self.broker_id = broker_id
        self._data = market_data
        self.id = market_data.id
        self.name = f"{exchange_display(market_data)} (papier)"
        self.has = {**{k: market_data.has.get(k) for k in _MARKET_CAPABILITIES}, **_OWN_CAPABILITIES}

    def __repr__(self) -> str:
        return f"<PaperExchange {self.id} broker={self.broker_id}>"

    # ------------------------------------------------------------------ marché (instance publique)

    @property
    def markets(self) -> dict[str, Any]:
        return self._data.markets

    @property
    def markets_by_id(self) -> dict[str, Any]:
        return self._data.markets_by_id

    @property
    def symbols(self) -> list[str]:
        return self._data.symbols

    @property
    def precisionMode(self) -> int:  # noqa: N802 (nom CCXT)
        return self._data.precisionMode

    @property
    def closed_by_user(self) -> bool:
        """Instance publique fermée : le gestionnaire reconstruit alors ce venue."""
        return bool(getattr(self._data, "closed_by_user", False))

    def market(self, symbol: str) -> dict[str, Any]:
        return self._data.market(symbol)

    def market_ids(self, symbols: list[str]) -> list[str]:
        return self._data.market_ids(symbols)

    def json(self, value: Any) -> str:
        return self._data.json(value)

    def amount_to_precision(self, symbol: str, amount: Any) -> str:
        return self._data.amount_to_precision(symbol, amount)

    def price_to_precision(self, symbol: str, price: Any) -> str:
        return self._data.price_to_precision(symbol, price)

    def cost_to_precision(self, symbol: str, cost: Any) -> str:
        return self._data.cost_to_precision(symbol, cost)

    async def load_markets(self, reload: bool = False, params: dict[str, Any] | None = None) -> Any:
        return await self._data.load_markets(reload)

    async def fetch_ticker(self, symbol: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self._data.fetch_ticker(symbol, params or {})

    async def fetch_tickers(self, symbols: list[str] | None = None,
                            params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self._data.fetch_tickers(symbols, params or {})

    async def fetch_last_prices(self, symbols: list[str] | None = None,
                                params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self._data.fetch_last_prices(symbols, params or {})

    async def fetch_order_book(self, symbol: str, limit: int | None = None,
                               params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self._data.fetch_order_book(symbol, limit, params or {})

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1m", since: int | None = None,
                          limit: int | None = None, params: dict[str, Any] | None = None) -> list[list[Any]]:
        return await self._data.fetch_ohlcv(symbol, timeframe, since, limit, params or {})

    async def close(self) -> None:
        """Rien à fermer : l'instance publique appartient au gestionnaire (fermée avec les autres)."""

    # ------------------------------------------------------------------ prix

    async def _best_price(self, symbol: str, side: str) -> Decimal:
        """Prix d'exécution au marché : haut du carnet (ask à l'achat, bid à la vente), sinon le
        dernier prix. Une lecture impossible refuse l'ordre (il n'est pas passé)."""
        try:
            if self._data.has.get("fetchOrderBook"):
                book = await self._data.fetch_order_book(symbol)
                levels = book.get("asks" if side == "buy" else "bids") or []
                price = to_decimal(levels[0][0]) if levels else None
                if price:
                    return price
            ticker = await self._data.fetch_ticker(symbol)
        except ccxt.BaseError as exc:  # ni NetworkError ni cause réseau : « non envoyé », pas de recherche
            raise ccxt.ExchangeError(f"prix de {symbol} indisponible ({exchange_message(exc)}) : "
                                     "ordre non passé.") from None
        side_price = to_decimal(ticker.get("ask" if side == "buy" else "bid"))
        price = side_price or to_decimal(ticker.get("last")) or to_decimal(ticker.get("close"))
        if not price:
            raise ccxt.ExchangeError(f"aucun prix pour {symbol} : ordre non passé.")
        return price

    async def _cross(self, tickers: dict[str, Any], opened: list[str]) -> None:
        """Exécute les ordres limites ouverts que ces tickers croisent (bid/ask, sinon dernier prix)."""
        for symbol in opened:
            ticker = tickers.get(symbol)
            if not ticker or symbol not in self._data.markets:
                continue
            last = to_decimal(ticker.get("last")) or to_decimal(ticker.get("close"))
            market = self._data.markets[symbol]
            filled = await sync_to_async(ledger.orders_cross)(
                broker_id=self.broker_id, symbol=symbol, base=market["base"], quote=market["quote"],
                bid=to_decimal(ticker.get("bid")) or last, ask=to_decimal(ticker.get("ask")) or last,
            )
            for order in filled:
                logger.info("Papier : ordre limite %s exécuté à %s (%s)", order.pk, order.price, symbol)

    async def orders_match(self, symbol: str | None = None) -> None:
        """ÉCRIT : rapproche les ordres limites ouverts (d'un symbole ou de tous) du prix actuel et
        exécute ceux qu'il a croisés. Au mieux : une lecture de prix en échec est journalisée, le
        rapprochement attendra le suivant. Appelé par `apps.brokers.journal` seulement (moteur,
        POST de rattrapage), jamais par une lecture."""
        opened = await sync_to_async(ledger.open_symbols)(broker_id=self.broker_id)
        wanted = [s for s in opened if symbol is None or s == symbol]
        if not wanted:
            return
        try:
            await self._data.load_markets()
            if len(wanted) > 1 and self._data.has.get("fetchTickers"):
                tickers = await self._data.fetch_tickers(wanted)
            else:
                tickers = {s: await self._data.fetch_ticker(s) for s in wanted}
        except ccxt.BaseError as exc:
            logger.warning("Papier : prix illisibles pour %s (%s)", ", ".join(wanted), exchange_message(exc))
            return
        await self._cross(tickers, wanted)

    # ------------------------------------------------------------------ compte (grand livre)

    async def fetch_balance(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return rules.balance_dict(await sync_to_async(ledger.balances_list)(broker_id=self.broker_id))

    async def create_order(self, symbol: str, type: str, side: str, amount: Any,  # noqa: A002 (nom CCXT)
                           price: Any = None, params: dict[str, Any] | None = None) -> dict[str, Any]:
        rules.order_kind_check(order_type=type, side=side, params=params)
        await self._data.load_markets()
        market = self._data.market(symbol)
        symbol = market["symbol"]
        quantity = rules.precise_amount(self._data, symbol, amount)
        limit = rules.precise_price(self._data, symbol, price) if type == "limit" else None
        request = rules.order_request(market, order_type=type, side=side, amount=quantity,
                                      limit_price=limit, params=params)
        return await self._place(market, request)

    async def create_market_buy_order_with_cost(self, symbol: str, cost: Any,
                                                params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Achat au marché pour un montant en cotation (`quoteOrderQty`) : quantité = montant / ask,
        tronquée au pas (le reste du montant n'est pas dépensé)."""
        rules.order_kind_check(order_type="market", side="buy", params=params)
        await self._data.load_markets()
        market = self._data.market(symbol)
        symbol = market["symbol"]
        budget = Decimal(self._data.cost_to_precision(symbol, float(rules.positive(cost, "quoteOrderQty"))))
        price = await self._best_price(symbol, "buy")
        quantity = rules.precise_amount(self._data, symbol, budget / price)
        request = rules.order_request(market, order_type="market", side="buy", amount=quantity,
                                      limit_price=None, params=params)
        return await self._place(market, request, price=price)

    async def _place(self, market: dict[str, Any], request: ledger.OrderRequest,
                     price: Decimal | None = None) -> dict[str, Any]:
        """Exécute aussitôt (marché, limite croisée) ou laisse ouvert (limite) ; une transaction."""
        if request.order_type == "limit":
            assert request.limit_price is not None
            rules.notional_check(market, request.amount, request.limit_price)
            best = await self._best_price(request.symbol, request.side)
            immediate = best <= request.limit_price if request.side == "buy" else best >= request.limit_price
            if not immediate:
                order = await sync_to_async(ledger.order_rest)(
                    broker_id=self.broker_id, request=request, fee_rate=rules.fee_rate(market, "maker"))
                return rules.order_dict(order)
            price = best
        price = price or await self._best_price(request.symbol, request.side)
        rules.notional_check(market, request.amount, price)
        order = await sync_to_async(ledger.order_fill)(
            broker_id=self.broker_id, request=request, price=price, fee_rate=rules.fee_rate(market, "taker"))
        return rules.order_dict(order)

    async def cancel_order(self, id: str, symbol: str | None = None,  # noqa: A002 (nom CCXT)
                           params: dict[str, Any] | None = None) -> dict[str, Any]:
        order = await sync_to_async(ledger.order_cancel)(
            broker_id=self.broker_id, order_id=id, client_order_id=rules.client_order_id(params))
        return rules.order_dict(order)

    async def fetch_order(self, id: str | None, symbol: str | None = None,  # noqa: A002 (nom CCXT)
                          params: dict[str, Any] | None = None) -> dict[str, Any]:
        lookup = {"broker_id": self.broker_id, "order_id": id,
                  "client_order_id": rules.client_order_id(params)}
        return rules.order_dict(await sync_to_async(ledger.order_get)(**lookup))

    async def fetch_open_orders(self, symbol: str | None = None, since: int | None = None,
                                limit: int | None = None, params: dict[str, Any] | None = None) -> list[Any]:
        orders = await sync_to_async(ledger.orders_list)(
            broker_id=self.broker_id, symbol=symbol, status=PaperOrder.Status.OPEN)
        return [rules.order_dict(order) for order in orders]

    async def fetch_closed_orders(self, symbol: str | None = None, since: int | None = None,
                                  limit: int | None = None,
                                  params: dict[str, Any] | None = None) -> list[Any]:
        orders = await sync_to_async(ledger.orders_list)(
            broker_id=self.broker_id, symbol=symbol, status=PaperOrder.Status.CLOSED)
        return [rules.order_dict(order) for order in (orders[-limit:] if limit and limit > 0 else orders)]
