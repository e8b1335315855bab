"""Positions spot d'une stratégie active : ouverture, clôture (une seule à la fois) et P&L.

- Quantité de la position = quantité achetée NETTE des frais prélevés en actif de base.
- Coût d'entrée = montant payé (+ frais s'ils sont pris dans un autre actif).
- P&L réalisé (sur la ligne `trades` de sortie et la position) = produit de la vente net de ses
  frais − coût d'entrée au prorata de la quantité vendue ; `profit_loss_pct` en pourcentage.
- Une clôture prend un bail (`closing_since`) par un UPDATE conditionnel : le moteur, la
  surveillance et le bouton « Vendre » (Daphne) ne peuvent pas vendre deux fois la même position.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from apps.core.exceptions import AristobotError, ConflictError
from apps.core.services.exchange_ops import balances_fetch
from apps.notifications import events as notification_events
from apps.trading.models import Trade
from apps.trading.services.order_state import EXECUTED, executed, split_symbol
from apps.trading.services.orders import order_fetch, order_place
from apps.trading.services.protection import (
    EXCHANGE,
    WATCHED,
    TradeLinks,
    protection_cancel,
    protection_place,
    protection_prices,
)
from apps.trading_engine.engine.notify import Notifier
from apps.trading_engine.models import ActiveStrategy, Position

logger = logging.getLogger(__name__)

ZERO = Decimal(0)
UNSETTLED = (Trade.Status.PENDING, Trade.Status.UNKNOWN)
REASON_BY_ROLE = {Trade.Role.STOP_LOSS: "stop_loss", Trade.Role.TAKE_PROFIT: "take_profit"}
DEFAULT_LEASE_S = 120.0
_PCT = Decimal("0.000001")
_AMOUNT = Decimal("1e-12")  # précision des colonnes de montants


def links_for(active: ActiveStrategy) -> TradeLinks:
    return TradeLinks(strategy_id=active.strategy_id, active_strategy_id=active.pk)


def protective_ids(position: Position) -> list[str]:
    return [i for i in (position.sl_order_id, position.tp_order_id) if i]


def unrealized(position: Position, price: Decimal) -> Decimal:
    return position.quantity * price - position.entry_cost


# ----------------------------------------------------------------------------- ouverture


async def position_from_entry(
    *, active: ActiveStrategy, trade: Trade, stop_loss: float | None, take_profit: float | None,
    slippage: Decimal, notifier: Notifier,
) -> Position:
    """Crée la position d'un achat exécuté puis pose ses protections (exchange ou surveillées)."""
    base, _ = split_symbol(trade.symbol)
    fee_in_base = trade.fee_asset == base
    quantity = trade.quantity - (trade.fee if fee_in_base else ZERO)
    cost = trade.cost + (ZERO if fee_in_base else trade.fee_quote)
    price = trade.price or (cost / quantity)
    sl_price, tp_price = protection_prices(price, stop_loss, take_profit)
    position = await Position.objects.acreate(
        user_id=active.user_id, active_strategy_id=active.pk, broker_id=active.broker_id,
        symbol=trade.symbol, quantity=quantity, entry_price=price, entry_cost=cost,
        stop_loss_price=sl_price, take_profit_price=tp_price, protection_mode=WATCHED,
        entry_trade=trade, opened_at=trade.executed_at or timezone.now(), last_price=price,
        unrealized_pnl=quantity * price - cost,
    )
    protection = await protection_place(
        broker=active.broker, symbol=trade.symbol, quantity=quantity, sl_price=sl_price,
        tp_price=tp_price, links=links_for(active), slippage=slippage,
    )
    for leg in protection.trades:
        notifier.trade(leg)
    position.protection_mode = protection.mode
    position.sl_order_id, position.tp_order_id = protection.sl_order_id, protection.tp_order_id
    position.order_list_id = protection.order_list_id
    await position.asave()
    if protection.message and (sl_price or tp_price):
        logger.info("Position %s : %s — SL/TP surveillés par le moteur", position.pk, protection.message)
    notifier.position(position)
    return position


async def position_open(
    *, active: ActiveStrategy, quote_amount: Decimal, stop_loss: float | None,
    take_profit: float | None, slippage: Decimal, notifier: Notifier,
) -> tuple[Trade, Position | None]:
    """Achat au marché de `quote_amount` (cotation) puis position ; (ligne trades, position ou None)."""
    trade = await order_place(
        broker=active.broker, symbol=active.symbol, side="buy", quote_amount=quote_amount,
        source=Trade.Source.STRATEGY, role=Trade.Role.ENTRY, strategy_id=active.strategy_id,
        active_strategy_id=active.pk,
    )
    notifier.trade(trade)
    if not executed(trade):
        return trade, None
    position = await position_from_entry(
        active=active, trade=trade, stop_loss=stop_loss, take_profit=take_profit, slippage=slippage,
        notifier=notifier,
    )
    return trade, position


# ----------------------------------------------------------------------------- clôture


async def _claim(position_id: int, lease_s: float) -> Position | None:
    now = timezone.now()
    stale = now - dt.timedelta(seconds=lease_s)
    claimed = await Position.objects.filter(
        Q(closing_since__isnull=True) | Q(closing_since__lt=stale), pk=position_id,
        status=Position.Status.OPEN,
    ).aupdate(closing_since=now)
    if not claimed:
        return None
    return await Position.objects.select_related("broker", "active_strategy").aget(pk=position_id)


async def _release(position_id: int) -> None:
    await Position.objects.filter(pk=position_id).aupdate(closing_since=None)


async def position_finalize(
    position: Position, trade: Trade, reason: str, notifier: Notifier | None = None
) -> Position:
    """Clôt la position avec sa ligne de sortie exécutée : prix de sortie et P&L réalisé."""
    share = min(Decimal(1), trade.quantity / position.quantity) if position.quantity > 0 else Decimal(1)
    basis = position.entry_cost * share
    pnl = (trade.cost - trade.fee_quote - basis).quantize(_AMOUNT)
    trade.profit_loss = pnl
    trade.profit_loss_pct = (pnl / basis * 100).quantize(_PCT) if basis > 0 else None
    await trade.asave(update_fields=["profit_loss", "profit_loss_pct", "updated_at"])
    position.status = Position.Status.CLOSED
    position.exit_trade, position.exit_price, position.realized_pnl = trade, trade.price, pnl
    position.exit_reason = reason[:20]
    position.closed_at = trade.executed_at or timezone.now()
    position.closing_since, position.last_price, position.unrealized_pnl = None, trade.price, ZERO
    await position.asave()
    logger.info("Position %s clôturée (%s) : P&L %s", position.pk, reason, pnl)
    await notification_events.position_closed(position=position, trade=trade, reason=reason)
    if notifier is not None:
        notifier.trade(trade)
        notifier.position(position)
    return position


async def trade_resolve(broker: Any, trade: Trade) -> Trade:
    """Ordre au statut incertain (`pending`/`unknown`) : relu sur l'exchange par son client_order_id.

    Introuvable → `error` (jamais parti). Les autres statuts sont rendus tels quels.
    """
    if trade.status not in UNSETTLED:
        return trade
    try:
        await order_fetch(broker=broker, symbol=trade.symbol, client_order_id=trade.client_order_id)
    except AristobotError as exc:
        if exc.code != "order_not_found":
            raise
        trade.status = Trade.Status.ERROR
        trade.error_message = f"{trade.error_message} — introuvable sur l'exchange : non exécuté."
        await trade.asave(update_fields=["status", "error_message", "updated_at"])
        return trade
    await trade.arefresh_from_db()
    return trade


async def exit_resolve(position: Position, notifier: Notifier | None = None) -> Position | None:
    """Une vente déjà envoyée (réponse perdue, arrêt brutal) : on la retrouve au lieu de revendre.

    Renvoie la position clôturée si une sortie exécutée existe ; lève si une vente reste
    introuvable (statut inconnu : aucune nouvelle vente tant que ce n'est pas tranché).
    """
    exits = Trade.objects.filter(
        active_strategy_id=position.active_strategy_id, role=Trade.Role.EXIT,
        created_at__gte=position.opened_at, broker_id=position.broker_id,
    ).filter(Q(status__in=UNSETTLED) | Q(quantity__gt=0, status__in=EXECUTED)).exclude(
        pk__in=Position.objects.filter(exit_trade__isnull=False).values("exit_trade_id")
    )
    async for trade in exits.order_by("created_at"):
        await trade_resolve(position.broker, trade)
        if executed(trade):
            return await position_finalize(position, trade, "reprise", notifier)
        if trade.status in UNSETTLED:
            raise AristobotError(
                f"Vente {trade.client_order_id} au statut inconnu : vérifiez sur l'exchange.",
                code="exit_unknown",
            )
    return None


async def position_settle(
    *, position_id: int, trade: Trade, notifier: Notifier, lease_s: float = DEFAULT_LEASE_S
) -> Position | None:
    """Clôt la position avec une jambe de protection exécutée sur l'exchange (sous bail)."""
    position = await _claim(position_id, lease_s)
    if position is None:
        return None
    try:
        return await position_finalize(position, trade, REASON_BY_ROLE.get(trade.role, "protection"),
                                       notifier)
    except BaseException:
        await _release(position_id)
        raise


async def position_recover(
    *, position_id: int, notifier: Notifier, lease_s: float = DEFAULT_LEASE_S
) -> Position | None:
    """Reprise d'une vente interrompue (bail abandonné, redémarrage) ; la position clôturée ou None."""
    position = await _claim(position_id, lease_s)
    if position is None:
        return None
    closed = None
    try:
        closed = await exit_resolve(position, notifier)
        return closed
    finally:
        if closed is None:
            await _release(position_id)


async def position_close(
    *, position_id: int, reason: str, notifier: Notifier, lease_s: float = DEFAULT_LEASE_S,
    busy_error: bool = False,
) -> Position | None:
    """Vend toute la position au marché (protections annulées d'abord) ; None si déjà en clôture.

    Lève `AristobotError` (message français) si la vente échoue : la position reste ouverte, ses
    seuils passent en mode surveillé (les ordres de protection ayant été annulés).
    """
    position = await _claim(position_id, lease_s)
    if position is None:
        if busy_error:
            raise ConflictError("Position déjà clôturée ou clôture en cours.", code="position_busy")
        return None
    closed = False
    try:
        resolved = await exit_resolve(position, notifier)
        if resolved is not None:
            closed = True
            return resolved
        ids = protective_ids(position)
        if position.protection_mode == EXCHANGE and ids:
            filled = await protection_cancel(
                broker=position.broker, symbol=position.symbol, order_ids=ids,
                is_list=bool(position.order_list_id),
            )
            if filled is not None:  # course : le SL/TP s'est exécuté juste avant
                closed = True
                return await position_finalize(position, filled, REASON_BY_ROLE.get(filled.role, reason),
                                               notifier)
            position.protection_mode = WATCHED
            position.sl_order_id = position.tp_order_id = position.order_list_id = ""
            await position.asave(update_fields=["protection_mode", "sl_order_id", "tp_order_id",
                                                "order_list_id", "updated_at"])
        base, _ = split_symbol(position.symbol)
        free = (await balances_fetch(position.broker, (base,)))[base].free
        quantity = min(position.quantity, free)
        if quantity <= 0:
            raise AristobotError(
                f"Aucun {base} libre sur {position.broker.name} : la position {position.pk} ne peut pas "
                "être vendue (solde vendu ailleurs ?).", code="nothing_to_sell",
            )
        active = position.active_strategy
        trade = await order_place(
            broker=position.broker, symbol=position.symbol, side="sell", quantity=quantity,
            source=Trade.Source.STRATEGY, role=Trade.Role.EXIT, strategy_id=active.strategy_id,
            active_strategy_id=active.pk,
        )
        notifier.trade(trade)
        if not executed(trade):  # statut inconnu : `exit_resolve` tranchera avant toute revente
            raise AristobotError(trade.error_message or f"Vente non exécutée ({trade.status}).",
                                 code="sell_failed")
        closed = True
        return await position_finalize(position, trade, reason, notifier)
    finally:
        if not closed:
            await _release(position.pk)
