"""P&L réalisé des ventes manuelles et webhook, au coût moyen pondéré.

Les positions des stratégies ont leur propre P&L (moteur de trading). Pour les ordres manuels et
webhook, chaque vente exécutée reçoit `profit_loss` = produit net de la vente − coût moyen des
unités vendues, le coût moyen venant des achats exécutés antérieurs de même source, même broker et
même symbole (frais d'achat inclus dans le coût, frais de vente déduits du produit). Une vente sans
achat antérieur connu dans l'application (actif acheté ailleurs) reste sans P&L.
"""

from __future__ import annotations

from decimal import Decimal

from apps.trading.models import Trade

_ZERO = Decimal(0)
_Q = Decimal("0.000000000001")


async def sell_realized_pnl_assign(trade: Trade) -> None:
    """Renseigne `profit_loss` / `profit_loss_pct` d'une vente exécutée (hors stratégies)."""
    if (
        trade.side != Trade.Side.SELL
        or trade.status != Trade.Status.FILLED
        or trade.source == Trade.Source.STRATEGY
        or trade.profit_loss is not None
        or not trade.quantity
    ):
        return
    prior = (
        Trade.objects.filter(
            user_id=trade.user_id, broker_id=trade.broker_id, symbol=trade.symbol,
            source=trade.source, status=Trade.Status.FILLED, created_at__lt=trade.created_at,
        )
        .exclude(pk=trade.pk)
        .order_by("created_at", "pk")
        .values_list("side", "quantity", "cost", "fee_quote")
    )
    held, basis = _ZERO, _ZERO
    async for side, qty, cost, fee_quote in prior:
        if side == Trade.Side.BUY:
            held += qty
            basis += cost + (fee_quote or _ZERO)
        elif held > 0:
            sold = min(qty, held)
            basis -= basis * sold / held
            held -= sold
    if held <= 0:
        return
    sold = min(trade.quantity, held)
    share = sold / trade.quantity
    proceeds = (trade.cost - (trade.fee_quote or _ZERO)) * share
    cost_of_sold = basis * sold / held
    pnl = proceeds - cost_of_sold
    trade.profit_loss = pnl.quantize(_Q)
    if cost_of_sold > 0:
        trade.profit_loss_pct = (pnl / cost_of_sold * 100).quantize(Decimal("0.000001"))
