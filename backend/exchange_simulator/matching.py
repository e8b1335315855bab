"""Appariement : déclenchement des stops, exécution des ordres limites, règlement des soldes.

Liquidité infinie et exécutions complètes (pas d'exécution partielle) : un ordre limite
s'exécute en totalité dès que le prix simulé le croise, à son prix limite (maker) ; un ordre
exécutable immédiatement (marché, limite « marketable », stop déclenché) s'exécute au prix
courant (taker). Commission : 0,1 % de l'actif reçu, comme Binance sans BNB.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from .orders import Fill, Order
from .state import EngineState, q8

COMMISSION_RATE = Decimal("0.001")
MARKET_LIKE = ("MARKET", "STOP_LOSS", "TAKE_PROFIT")


def stop_hit(order_type: str, side: str, stop: Decimal, low: Decimal, high: Decimal) -> bool:
    """Vrai si un prix de l'intervalle [low, high] déclenche l'ordre stop."""
    if order_type.startswith("STOP_LOSS"):
        return low <= stop if side == "SELL" else high >= stop
    return high >= stop if side == "SELL" else low <= stop


def marketable(side: str, limit: Decimal, price: Decimal) -> bool:
    """Vrai si un ordre limite de ce côté s'exécute au prix ``price``."""
    return price <= limit if side == "BUY" else price >= limit


class MatchingMixin(EngineState):
    """Règlement des exécutions et traitement des ticks de prix."""

    def release_lock(self, order: Order) -> None:
        if order.locked_amount > 0:
            self.accounts[order.api_key].unlock(order.locked_asset, order.locked_amount)
            order.locked_amount = Decimal("0")

    def finish(self, order: Order, status: str, now: int) -> None:
        """Clôt un ordre (FILLED, CANCELED, EXPIRED) et le retire des ordres ouverts."""
        self.release_lock(order)
        order.status = status
        order.update_time = now
        self.unindex(order)

    def activate_leg(self, order: Order, now: int) -> None:
        """Une jambe d'OCO s'active (déclenchement ou exécution) : l'autre expire, la liste se clôt.

        Le blocage de solde de la liste passe à la jambe active.
        """
        order_list = self.lists.get(order.order_list_id)
        if order_list is None or not order_list.is_open:
            return
        order.locked_asset = order_list.locked_asset
        order.locked_amount = order_list.locked_amount
        order_list.locked_amount = Decimal("0")
        for leg in order_list.legs:
            if leg is not order and leg.is_open:
                leg.status = "EXPIRED"
                leg.update_time = now
                self.unindex(leg)
        order_list.list_status_type = "ALL_DONE"
        order_list.list_order_status = "ALL_DONE"
        order_list.transaction_time = now

    def execute(self, order: Order, price: Decimal, *, maker: bool, now: int) -> bool:
        """Exécute tout le reliquat de l'ordre à ``price`` ; faux (ordre EXPIRED) si solde insuffisant."""
        self.activate_leg(order, now)
        self.release_lock(order)
        account = self.accounts[order.api_key]
        spec = self.specs[order.symbol]
        qty = order.orig_qty - order.executed_qty
        quote = q8(qty * price)
        if order.side == "BUY":
            if quote > account.free(spec.quote):
                self.finish(order, "EXPIRED", now)
                return False
            account.debit(spec.quote, quote)
            commission, asset = q8(qty * COMMISSION_RATE), spec.base
            account.credit(spec.base, qty - commission)
        else:
            if qty > account.free(spec.base):
                self.finish(order, "EXPIRED", now)
                return False
            account.debit(spec.base, qty)
            commission, asset = q8(quote * COMMISSION_RATE), spec.quote
            account.credit(spec.quote, quote - commission)
        fill = Fill(
            trade_id=self.new_trade_id(order.symbol),
            order_id=order.order_id,
            order_list_id=order.order_list_id,
            symbol=order.symbol,
            price=price,
            qty=qty,
            quote_qty=quote,
            commission=commission,
            commission_asset=asset,
            time=now,
            is_buyer=order.side == "BUY",
            is_maker=maker,
        )
        order.fills.append(fill)
        self.trades.setdefault(order.api_key, []).append(fill)
        order.executed_qty += qty
        order.cum_quote += quote
        account.update_time = now
        self.finish(order, "FILLED", now)
        return True

    def trigger(self, order: Order, last: Decimal, now: int) -> None:
        """Déclenche un ordre stop : exécution au marché ou passage en ordre limite actif."""
        self.activate_leg(order, now)
        order.working_time = now
        order.update_time = now
        if order.type in MARKET_LIKE or marketable(order.side, order.price, last):
            self.execute(order, last, maker=False, now=now)

    def on_ticks(self, symbol: str, times: np.ndarray, prices: np.ndarray, now: int) -> None:
        """Traite les ticks ``(times, prices)`` survenus depuis le dernier passage (prix arrondis)."""
        pool = self.open_orders.get(symbol)
        if not pool or len(prices) == 0:
            return
        for order in list(pool.values()):
            if not order.is_open:
                continue
            since = order.working_time if order.working else order.time
            mask = times >= since - since % 1000
            if not mask.any():
                continue
            window = prices[mask]
            low = Decimal(f"{window.min():.8f}")
            high = Decimal(f"{window.max():.8f}")
            last = Decimal(f"{window[-1]:.8f}")
            if not order.working:
                if stop_hit(order.type, order.side, order.stop_price, low, high):
                    self.trigger(order, last, now)
                continue
            if marketable(order.side, order.price, low if order.side == "BUY" else high):
                self.execute(order, order.price, maker=True, now=now)

    def on_forced_price(self, symbol: str, price: Decimal, now: int) -> None:
        """Applique immédiatement un prix imposé par l'administration."""
        value = float(price)
        self.on_ticks(symbol, np.array([now], dtype=np.int64), np.array([value]), now)
