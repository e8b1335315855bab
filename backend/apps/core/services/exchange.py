"""Fonctions asynchrones face à CCXT : soldes valorisés, ticker, marchés, ordres ouverts.

Toutes passent par le gestionnaire d'instances (`ccxt_manager`) et par la traduction unique des
erreurs (`exchange_errors`) : elles lèvent `AristobotError` avec un message français. Les lectures
sont rejouées sur erreur réseau (`safe=True`). Elles s'exécutent dans la boucle de l'appelant :
depuis une vue, passez par `exchange_loop_run` ; depuis un démon, appelez-les directement.
Les ordres (avec journal `Trade`) sont dans `apps.trading.services.orders`.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import ccxt

from apps.core.exceptions import AristobotError
from apps.core.numbers import to_decimal
from apps.core.services.ccxt_manager import BrokerLike, exchange_get, public_exchange_get
from apps.core.services.exchange_errors import exchange_call, exchange_display

logger = logging.getLogger(__name__)

USD_STABLES = frozenset({"USDT", "USDC", "BUSD", "FDUSD", "USD"})
VALUATION_QUOTE = "USDT"
BRIDGE_ASSET = "BTC"


async def markets_ensure(exchange: Any) -> dict[str, Any]:
    """Charge (une fois par instance) les marchés ; rejoué sur erreur réseau."""
    return await exchange_call(exchange, lambda: exchange.load_markets(), safe=True)


def market_resolve(exchange: Any, symbol: str) -> dict[str, Any]:
    """Le marché CCXT d'un symbole (`BTC/USDT`, `BTCUSDT`, `btc-usdt`) ou une erreur française."""
    raw = (symbol or "").strip()
    candidates = [raw, raw.upper(), raw.upper().replace("-", "/").replace("_", "/")]
    for candidate in candidates:
        if candidate in exchange.markets:
            return exchange.markets[candidate]
    by_id = getattr(exchange, "markets_by_id", None) or {}
    for candidate in (raw, raw.upper(), raw.upper().replace("/", "").replace("-", "")):
        found = by_id.get(candidate)
        if found:
            return found[0] if isinstance(found, list) else found
    raise AristobotError(
        f"Symbole inconnu sur {exchange_display(exchange)} : {raw or '(vide)'}",
        code="bad_symbol",
    )


def ticker_price(ticker: dict[str, Any] | None) -> Decimal | None:
    """Dernier prix d'un ticker (à défaut clôture, puis milieu bid/ask)."""
    if not ticker:
        return None
    for key in ("last", "close"):
        price = to_decimal(ticker.get(key))
        if price:
            return price
    bid, ask = to_decimal(ticker.get("bid")), to_decimal(ticker.get("ask"))
    if bid and ask:
        return (bid + ask) / 2
    return None


async def ticker_fetch_on(exchange: Any, symbol: str) -> dict[str, Any]:
    """Ticker d'un symbole sur une instance donnée."""
    await markets_ensure(exchange)
    market = market_resolve(exchange, symbol)
    ticker = await exchange_call(exchange, lambda: exchange.fetch_ticker(market["symbol"]), safe=True)
    return {
        "symbol": market["symbol"],
        "last": ticker_price(ticker),
        "bid": to_decimal(ticker.get("bid")),
        "ask": to_decimal(ticker.get("ask")),
        "timestamp": ticker.get("timestamp"),
    }


async def ticker_fetch(*, broker: BrokerLike, symbol: str) -> dict[str, Any]:
    """Dernier prix d'un symbole pour le broker (calcul quantité ↔ USD de la page de trading)."""
    exchange = await exchange_get(broker=broker)
    return await ticker_fetch_on(exchange, symbol)


# ----------------------------------------------------------------------------- soldes


async def _last_prices(exchange: Any, symbols: list[str]) -> dict[str, Decimal | None]:
    """Derniers prix de `symbols`, en UNE requête si l'exchange le permet.

    `fetchLastPrices` d'abord : chez Binance `ticker/price?symbols=[…]`, poids 4, compté 4 par le
    limiteur de CCXT. `fetchTickers` (`ticker/24hr?symbols=…`) ne renvoie rien de plus utile ici
    et CCXT le compte 80 (le poids de tous les symboles) : 20 fois plus de budget par solde.
    Sinon `fetchTickers`, sinon un `fetchTicker` par symbole.
    """
    if exchange.has.get("fetchLastPrices"):
        # Binance renvoie tous les symboles (des milliers) sans `symbols` : on restreint la réponse.
        params = {"symbols": exchange.json(exchange.market_ids(symbols))} if exchange.id == "binance" else {}
        last = await exchange_call(exchange, lambda: exchange.fetch_last_prices(symbols, params), safe=True)
        return {symbol: to_decimal((last.get(symbol) or {}).get("price")) or None for symbol in symbols}
    if exchange.has.get("fetchTickers"):
        tickers = await exchange_call(exchange, lambda: exchange.fetch_tickers(symbols), safe=True)
    else:
        tickers = {}
        for symbol in symbols:
            tickers[symbol] = await exchange_call(
                exchange, lambda s=symbol: exchange.fetch_ticker(s), safe=True
            )
    return {symbol: ticker_price(tickers.get(symbol)) for symbol in symbols}


async def _usd_prices(exchange: Any, assets: list[str]) -> dict[str, Decimal | None]:
    """Prix en USD(T) de chaque actif : stablecoins = 1, XXX/USDT, sinon XXX/BTC × BTC/USDT."""
    prices: dict[str, Decimal | None] = {}
    wanted: set[str] = set()
    bridged: dict[str, str] = {}
    bridge_symbol = f"{BRIDGE_ASSET}/{VALUATION_QUOTE}"
    for asset in assets:
        if asset in USD_STABLES:
            prices[asset] = Decimal(1)
            continue
        direct = f"{asset}/{VALUATION_QUOTE}"
        via = f"{asset}/{BRIDGE_ASSET}"
        if direct in exchange.markets:
            wanted.add(direct)
        elif via in exchange.markets and bridge_symbol in exchange.markets:
            wanted.update((via, bridge_symbol))
            bridged[asset] = via
        prices[asset] = None
    if not wanted:
        return prices
    try:
        last = await _last_prices(exchange, sorted(wanted))
    except AristobotError as exc:  # la valorisation est un bonus : le solde reste affichable
        logger.warning("Valorisation USD impossible : %s", exc)
        return prices
    bridge_price = last.get(bridge_symbol)
    for asset in prices:
        if asset in USD_STABLES:
            continue
        direct = last.get(f"{asset}/{VALUATION_QUOTE}")
        if direct is not None:
            prices[asset] = direct
        elif asset in bridged and bridge_price is not None:
            via = last.get(bridged[asset])
            prices[asset] = via * bridge_price if via is not None else None
    return prices


async def balance_fetch_on(exchange: Any) -> dict[str, Any]:
    """Soldes non nuls d'une instance, valorisés en USD(T), et leur total."""
    balance = await exchange_call(exchange, lambda: exchange.fetch_balance(), safe=True)
    rows: dict[str, dict[str, Any]] = {}
    totals = balance.get("total") or {}
    for asset, total in totals.items():
        amount = to_decimal(total)
        if not amount:
            continue
        rows[asset] = {
            "asset": asset,
            "free": to_decimal((balance.get("free") or {}).get(asset)) or Decimal(0),
            "used": to_decimal((balance.get("used") or {}).get(asset)) or Decimal(0),
            "total": amount,
        }
    try:
        await markets_ensure(exchange)
        prices = await _usd_prices(exchange, sorted(rows))
    except AristobotError as exc:
        logger.warning("Marchés indisponibles pour la valorisation : %s", exc)
        prices = dict.fromkeys(rows)
    total_usd = Decimal(0)
    for asset, row in rows.items():
        price = prices.get(asset)
        row["usd_price"] = price
        row["usd_value"] = row["total"] * price if price is not None else None
        if row["usd_value"] is not None:
            total_usd += row["usd_value"]
    ordered = sorted(rows.values(), key=lambda r: (r["usd_value"] is None, -(r["usd_value"] or 0)))
    return {"exchange": exchange.id, "balances": ordered, "total_usd": total_usd}


async def balance_fetch(*, broker: BrokerLike) -> dict[str, Any]:
    """Solde du broker : `{"exchange", "balances": [{asset, free, used, total, usd_price,
    usd_value}], "total_usd"}` (actifs non nuls ; `usd_*` à `None` si aucun prix n'est trouvé)."""
    exchange = await exchange_get(broker=broker)
    return await balance_fetch_on(exchange)


# ----------------------------------------------------------------------------- marchés


def _step(exchange: Any, precision: Any) -> Decimal | None:
    """Pas de quantité/prix : CCXT donne un pas (TICK_SIZE) ou un nombre de décimales."""
    value = to_decimal(precision)
    if value is None:
        return None
    if exchange.precisionMode == ccxt.DECIMAL_PLACES:
        return Decimal(1).scaleb(-int(value))
    if exchange.precisionMode == ccxt.SIGNIFICANT_DIGITS:
        return None
    return value


def market_row(exchange: Any, market: dict[str, Any]) -> dict[str, Any]:
    """Une ligne prête pour `market_symbols` à partir d'un marché CCXT."""
    limits = market.get("limits") or {}
    precision = market.get("precision") or {}
    return {
        "symbol": market["symbol"],
        "exchange_symbol": str(market.get("id") or market["symbol"])[:40],
        "base": market.get("base") or "",
        "quote": market.get("quote") or "",
        "market_type": market.get("type") or "spot",
        "active": market.get("active") is not False,
        "amount_precision": _step(exchange, precision.get("amount")),
        "price_precision": _step(exchange, precision.get("price")),
        "min_amount": to_decimal((limits.get("amount") or {}).get("min")),
        "min_cost": to_decimal((limits.get("cost") or {}).get("min")),
    }


async def markets_fetch(*, exchange_id: str) -> list[dict[str, Any]]:
    """Tous les marchés SPOT d'un exchange (instance publique, rechargés), en lignes `market_row`."""
    exchange = await public_exchange_get(exchange_id=exchange_id)
    markets = await exchange_call(exchange, lambda: exchange.load_markets(True), safe=True)
    return [
        market_row(exchange, market)
        for market in markets.values()
        if market.get("spot") or market.get("type") == "spot"
    ]


# ----------------------------------------------------------------------------- ordres (lecture)


def order_summary(order: dict[str, Any]) -> dict[str, Any]:
    """Vue compacte d'un ordre CCXT pour l'API."""
    return {
        "id": str(order.get("id") or ""),
        "client_order_id": order.get("clientOrderId") or "",
        "symbol": order.get("symbol"),
        "side": order.get("side"),
        "type": order.get("type"),
        "status": order.get("status"),
        "price": to_decimal(order.get("price")),
        "amount": to_decimal(order.get("amount")),
        "filled": to_decimal(order.get("filled")),
        "remaining": to_decimal(order.get("remaining")),
        "average": to_decimal(order.get("average")),
        "cost": to_decimal(order.get("cost")),
        "timestamp": order.get("timestamp"),
        "datetime": order.get("datetime"),
    }


async def open_orders_fetch(*, broker: BrokerLike, symbol: str | None = None) -> list[dict[str, Any]]:
    """Ordres ouverts du broker (d'un symbole ou de tous)."""
    exchange = await exchange_get(broker=broker)
    await markets_ensure(exchange)
    unified = market_resolve(exchange, symbol)["symbol"] if symbol else None
    orders = await exchange_call(exchange, lambda: exchange.fetch_open_orders(unified), safe=True)
    return [order_summary(order) for order in orders]
