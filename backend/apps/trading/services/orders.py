"""Ordres : une seule fonction d'envoi pour le trading manuel, le moteur et les webhooks.

Chaque tentative est journalisée dans `Trade` AVANT l'envoi (statut `pending`, `client_order_id`
unique), puis mise à jour : `filled`/`open` avec la réponse de l'exchange, ou `error` avec le message
français traduit. Un ordre n'est jamais rejoué : après un délai dépassé ou une coupure réseau où la
requête a pu partir, on le recherche par son `client_order_id` (`origClientOrderId` chez Binance) ;
trouvé → la ligne reprend son état réel ; introuvable ou injoignable → statut `unknown` (à vérifier).

Contrat : `order_place` lève `AristobotError` pour des arguments invalides (sens, type, quantité
≤ 0… : aucune ligne) et RENVOIE la ligne `Trade` dans tous les autres cas — l'appelant lit
`trade.status` (`error` + `trade.error_message` si l'exchange ou les contrôles ont refusé).
Un `client_order_id` fourni par l'appelant (clé de dé-duplication) doit être unique : un doublon lève
`IntegrityError` avant tout envoi. Interrompu (annulation), l'envoi laisse la ligne en `unknown`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import aiohttp
import ccxt

from apps.core.exceptions import AristobotError
from apps.core.numbers import number_fr, to_decimal
from apps.core.services.ccxt_manager import BrokerLike, exchange_get
from apps.core.services.exchange import market_resolve, markets_ensure, order_summary, ticker_price
from apps.core.services.exchange_errors import exchange_call, exchange_display, translate_ccxt_error
from apps.trading.models import Trade
from apps.trading.services.hooks import trade_finalized
from apps.trading.services.order_state import fees_complete, order_apply
from apps.trading.services.pnl import sell_realized_pnl_assign

logger = logging.getLogger(__name__)

LOOKUP_DELAYS = (0.5, 1.5, 3.0)  # secondes avant chaque recherche par client_order_id
_Q8 = Decimal("0.00000001")
_UPDATED = ["symbol", "status", "exchange_order_id", "quantity", "price", "cost", "fee", "fee_asset",
            "fee_quote", "raw_response", "executed_at", "error_message", "profit_loss", "profit_loss_pct",
            "updated_at"]


def client_order_id_new() -> str:
    """Identifiant client unique (35 caractères, accepté par Binance : `^[a-zA-Z0-9-_]{1,36}$`)."""
    return "ari" + uuid.uuid4().hex


def _is_binance(exchange: Any) -> bool:
    return exchange.id == "binance"


@dataclass
class _Plan:
    symbol: str
    side: str
    order_type: str
    amount: Decimal | None
    price: Decimal | None
    cost: Decimal | None  # achat au marché par montant (quoteOrderQty)


def _positive(value: Any, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    number = to_decimal(value)
    if number is None:
        raise AristobotError(f"{label} invalide : nombre attendu (reçu « {value} »).", code="bad_amount")
    if number <= 0:
        raise AristobotError(
            f"{label} invalide : elle doit être strictement positive (reçu {number_fr(number)}).",
            code="bad_amount",
        )
    return number


def _validate(
    side: str, order_type: str, quantity: Any, quote_amount: Any, price: Any
) -> tuple[str, str, Decimal | None, Decimal | None, Decimal | None]:
    side = str(side or "").strip().lower()
    if side not in Trade.Side.values:
        raise AristobotError(f"Sens d'ordre invalide : « {side} » (buy ou sell attendu).", code="bad_side")
    order_type = str(order_type or "").strip().lower()
    if order_type not in (Trade.OrderType.MARKET, Trade.OrderType.LIMIT):
        raise AristobotError(
            f"Type d'ordre invalide : « {order_type} » (market ou limit attendu).", code="bad_order_type"
        )
    qty = _positive(quantity, "Quantité")
    quote = _positive(quote_amount, "Montant")
    if (qty is None) == (quote is None):
        raise AristobotError(
            "Indiquez soit une quantité (actif de base), soit un montant (actif de cotation), "
            "un seul des deux.",
            code="bad_amount",
        )
    limit_price = _positive(price, "Prix")
    if order_type == Trade.OrderType.LIMIT and limit_price is None:
        raise AristobotError("Prix limite manquant pour un ordre limite.", code="bad_price")
    return side, order_type, qty, quote, limit_price


def _precise_amount(exchange: Any, market: dict[str, Any], raw: Decimal) -> Decimal:
    name, symbol = exchange_display(exchange), market["symbol"]
    step = (market.get("precision") or {}).get("amount")
    try:
        amount = Decimal(exchange.amount_to_precision(symbol, float(raw)))
    except (ccxt.BaseError, ValueError, ArithmeticError):
        amount = Decimal(0)
    if amount <= 0:
        raise AristobotError(
            f"Quantité trop faible : {number_fr(raw.quantize(_Q8))} {market['base']} est sous la "
            f"précision de {name} pour {symbol} (pas de {number_fr(step)}).",
            code="amount_too_small",
        )
    return amount


async def _plan(
    exchange: Any, market: dict[str, Any], side: str, order_type: str,
    quantity: Decimal | None, quote_amount: Decimal | None, price: Decimal | None,
) -> _Plan:
    """Arrondis et contrôles (quantité et montant minimums) AVANT tout envoi."""
    symbol, name = market["symbol"], exchange_display(exchange)
    limits = market.get("limits") or {}
    min_amount = to_decimal((limits.get("amount") or {}).get("min"))
    min_cost = to_decimal((limits.get("cost") or {}).get("min"))
    plan = _Plan(symbol, side, order_type, None, None, None)
    notional: Decimal | None
    if order_type == Trade.OrderType.LIMIT:
        assert price is not None
        plan.price = Decimal(exchange.price_to_precision(symbol, float(price)))
        if plan.price <= 0:
            raise AristobotError(f"Prix trop faible pour {symbol} sur {name}.", code="bad_price")
        plan.amount = _precise_amount(exchange, market, quantity or quote_amount / plan.price)
        notional = plan.amount * plan.price
    elif quote_amount is not None and side == "buy" and exchange.has.get("createMarketBuyOrderWithCost"):
        plan.cost = Decimal(exchange.cost_to_precision(symbol, float(quote_amount)))
        notional = plan.cost
    else:
        last: Decimal | None = None
        if quote_amount is not None or min_cost:
            ticker = await exchange_call(exchange, lambda: exchange.fetch_ticker(symbol), safe=True)
            last = ticker_price(ticker)
            if last is None and quote_amount is not None:
                raise AristobotError(f"Prix de {symbol} indisponible sur {name}.", code="no_price")
        plan.amount = _precise_amount(exchange, market, quantity or quote_amount / last)
        notional = plan.amount * last if last is not None else None
    if plan.amount is not None and min_amount and plan.amount < min_amount:
        raise AristobotError(
            f"Quantité trop faible : minimum {number_fr(min_amount)} {market['base']} sur {name} "
            f"pour {symbol} (demandé : {number_fr(plan.amount)}).",
            code="amount_too_small",
        )
    if notional is not None and min_cost and notional < min_cost:
        raise AristobotError(
            f"Montant trop faible : minimum {number_fr(min_cost)} {market['quote']} sur {name} pour "
            f"{symbol} (ordre de {number_fr(notional.quantize(_Q8))} {market['quote']}).",
            code="cost_too_small",
        )
    if plan.cost is not None and plan.cost <= 0:
        raise AristobotError(f"Montant trop faible pour {symbol} sur {name}.", code="cost_too_small")
    return plan


def client_id_params(exchange: Any, client_order_id: str, *, lookup: bool = False) -> dict[str, str]:
    """Paramètre CCXT qui porte l'identifiant client (envoi ou recherche) selon l'exchange."""
    if _is_binance(exchange):
        return {"origClientOrderId" if lookup else "newClientOrderId": client_order_id}
    return {"clientOrderId": client_order_id}


async def order_send(exchange: Any, *, symbol: str, order_type: str, side: str, amount: float,
                     price: float | None, params: dict[str, Any]) -> dict[str, Any]:
    """LE seul appel à `create_order` de l'application (ordres, stops de protection) : un envoi,
    jamais rejoué ; une réponse perdue se traite par `order_lookup`."""
    return await exchange.create_order(symbol, order_type, side, amount, price, params)


async def order_lookup(lookup: Callable[[], Awaitable[Any]], *,
                       name: str) -> tuple[Any | None, bool, str]:
    """Après une réponse perdue : recherche par identifiant client, à intervalles croissants
    (`LOOKUP_DELAYS`), jamais de renvoi. `(trouvé ou None, introuvable ?, dernière erreur)`."""
    not_found, last_error = False, ""
    for delay in LOOKUP_DELAYS:
        await asyncio.sleep(delay)
        try:
            return await lookup(), False, ""
        except ccxt.OrderNotFound:
            not_found = True
            continue
        except ccxt.BaseError as exc:
            last_error = translate_ccxt_error(exc, name).message
            if isinstance(exc, ccxt.NetworkError):
                continue
            break
    return None, not_found, last_error


async def _send(exchange: Any, plan: _Plan, client_order_id: str) -> dict[str, Any]:
    """Un seul envoi, jamais rejoué."""
    params = client_id_params(exchange, client_order_id)
    if plan.cost is not None:
        return await exchange.create_market_buy_order_with_cost(plan.symbol, float(plan.cost), params)
    price = float(plan.price) if plan.price is not None else None
    return await order_send(exchange, symbol=plan.symbol, order_type=plan.order_type, side=plan.side,
                            amount=float(plan.amount), price=price, params=params)


def order_maybe_sent(exc: BaseException) -> bool:
    """Vrai si la requête d'ordre a pu atteindre l'exchange sans réponse exploitable (à rechercher
    par son client_order_id avant toute autre décision ; jamais à renvoyer)."""
    if isinstance(exc, ccxt.RateLimitExceeded | ccxt.DDoSProtection):
        return False  # refusée par l'exchange
    cause = exc.__cause__
    if isinstance(cause, aiohttp.ClientConnectorError | socket.gaierror):
        return False  # connexion jamais établie
    if isinstance(exc, ccxt.NetworkError | ccxt.BadResponse):
        return True
    return isinstance(exc, ccxt.ExchangeError) and isinstance(cause, aiohttp.ClientError)


async def _save(trade: Trade) -> Trade:
    await sell_realized_pnl_assign(trade)
    await trade.asave(update_fields=_UPDATED)
    return trade


async def _mark(trade: Trade, status: str, message: str) -> Trade:
    trade.status = status
    trade.error_message = message
    logger.warning("Ordre %s (%s) : %s", trade.client_order_id, status, message)
    return await _save(trade)


async def _resolve_by_client_id(
    exchange: Any, trade: Trade, market: dict[str, Any], exc: BaseException
) -> Trade:
    """Après une réponse perdue : retrouve l'ordre par son client_order_id, sans le renvoyer."""
    name, first = exchange_display(exchange), translate_ccxt_error(exc, exchange_display(exchange)).message
    params = client_id_params(exchange, trade.client_order_id, lookup=True)
    order, not_found, last_error = await order_lookup(
        lambda: exchange.fetch_order(None, market["symbol"], params), name=name)
    if order is not None:
        trade.error_message = ""
        order_apply(trade, order, market)
        trade.raw_response = {**trade.raw_response, "aristobot_recovered_after": first}
        await fees_complete(exchange, trade, market)
        logger.info("Ordre %s retrouvé par client_order_id après : %s", trade.client_order_id, first)
        return await _save(trade)
    cause = "introuvable" if not_found and not last_error else f"non vérifiable ({last_error})"
    return await _mark(
        trade,
        Trade.Status.UNKNOWN,
        f"{first} — ordre {cause} par son client_order_id {trade.client_order_id} : "
        f"statut inconnu, à vérifier sur {name}.",
    )


async def order_place(
    *,
    broker: BrokerLike,
    symbol: str,
    side: str,
    order_type: str = Trade.OrderType.MARKET,
    quantity: Decimal | float | str | None = None,
    quote_amount: Decimal | float | str | None = None,
    price: Decimal | float | str | None = None,
    source: str = Trade.Source.MANUAL,
    role: str = Trade.Role.MANUAL,
    strategy_id: int | None = None,
    active_strategy_id: int | None = None,
    webhook_id: int | None = None,
    client_order_id: str | None = None,
) -> Trade:
    """Passe un ordre au marché ou limite, en quantité (base) OU en montant (cotation).

    Renvoie la ligne `Trade` (voir le contrat en tête de module).
    """
    side, order_type, qty, quote, limit_price = _validate(side, order_type, quantity, quote_amount, price)
    trade = await Trade.objects.acreate(
        user_id=broker.user_id, broker_id=broker.id, exchange=broker.exchange,
        is_testnet=bool(broker.is_testnet), is_paper=bool(broker.is_paper),
        source=source, role=role, strategy_id=strategy_id,
        active_strategy_id=active_strategy_id, webhook_id=webhook_id,
        symbol=(symbol or "").strip().upper()[:40], side=side, order_type=order_type,
        requested_quantity=qty, requested_quote_amount=quote, requested_price=limit_price,
        status=Trade.Status.PENDING, client_order_id=client_order_id or client_order_id_new(),
    )
    try:
        exchange = await exchange_get(broker=broker)
        await markets_ensure(exchange)
        market = market_resolve(exchange, symbol)
        trade.symbol = market["symbol"]
        plan = await _plan(exchange, market, side, order_type, qty, quote, limit_price)
    except AristobotError as exc:
        trade = await _mark(trade, Trade.Status.ERROR, exc.message)
        await trade_finalized(trade)
        return trade
    except (Exception, asyncio.CancelledError) as exc:
        await asyncio.shield(_mark(trade, Trade.Status.ERROR, f"Interrompu avant l'envoi : {exc!r}"))
        raise
    try:
        trade = await _send_and_record(exchange, trade, market, plan)
    except (Exception, asyncio.CancelledError) as exc:  # ordre peut-être parti : à vérifier
        await asyncio.shield(_mark(trade, Trade.Status.UNKNOWN, f"Envoi interrompu : {exc!r}"))
        raise
    await trade_finalized(trade)  # notifications (après l'enregistrement, hors de l'envoi)
    return trade


async def _send_and_record(exchange: Any, trade: Trade, market: dict[str, Any], plan: _Plan) -> Trade:
    """Envoie l'ordre une fois et enregistre l'issue (réponse, refus, ou recherche après coupure)."""
    try:
        order = await _send(exchange, plan, trade.client_order_id)
    except ccxt.BaseError as exc:
        if order_maybe_sent(exc):
            return await _resolve_by_client_id(exchange, trade, market, exc)
        message = translate_ccxt_error(exc, exchange_display(exchange)).message
        return await _mark(trade, Trade.Status.ERROR, message)
    order_apply(trade, order, market)
    await fees_complete(exchange, trade, market)
    return await _save(trade)


async def _trade_sync(
    exchange: Any, broker: BrokerLike, order: dict[str, Any], market: dict[str, Any]
) -> Trade | None:
    """Met à jour la ligne `Trade` correspondant à un ordre de l'exchange, s'il y en a une."""
    candidates = Trade.objects.filter(broker_id=broker.id)
    trade = None
    if order.get("id"):
        trade = await candidates.filter(exchange_order_id=str(order["id"])).afirst()
    if trade is None and order.get("clientOrderId"):
        trade = await candidates.filter(client_order_id=order["clientOrderId"]).afirst()
    if trade is None:
        return None
    before = trade.status
    trade.error_message = ""
    order_apply(trade, order, market)
    await fees_complete(exchange, trade, market)
    trade = await _save(trade)
    if trade.status != before:  # ordre limite exécuté depuis, par exemple
        await trade_finalized(trade)
    return trade


async def order_fetch(
    *, broker: BrokerLike, symbol: str, exchange_order_id: str | None = None,
    client_order_id: str | None = None,
) -> dict[str, Any]:
    """État d'un ordre (par id exchange ou client_order_id) ; met à jour sa ligne `Trade`."""
    if not exchange_order_id and not client_order_id:
        raise AristobotError("Identifiant d'ordre manquant.", code="bad_order_id")
    exchange = await exchange_get(broker=broker)
    await markets_ensure(exchange)
    market = market_resolve(exchange, symbol)
    if exchange_order_id:
        order = await exchange_call(
            exchange, lambda: exchange.fetch_order(str(exchange_order_id), market["symbol"]), safe=True
        )
    else:
        params = client_id_params(exchange, client_order_id, lookup=True)
        order = await exchange_call(
            exchange, lambda: exchange.fetch_order(None, market["symbol"], params), safe=True
        )
    await _trade_sync(exchange, broker, order, market)
    return order_summary(order)


async def order_cancel(*, broker: BrokerLike, exchange_order_id: str, symbol: str) -> dict[str, Any]:
    """Annule un ordre ouvert et met à jour sa ligne `Trade` (statut `canceled`)."""
    exchange = await exchange_get(broker=broker)
    await markets_ensure(exchange)
    market = market_resolve(exchange, symbol)
    order = await exchange_call(
        exchange, lambda: exchange.cancel_order(str(exchange_order_id), market["symbol"]), safe=False
    )
    await _trade_sync(exchange, broker, order, market)
    return order_summary(order)
