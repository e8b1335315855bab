"""Types de message du chemin d'ordre (groupe de l'utilisateur)."""

from typing import Any

MSG_TRADE_CREATED = "trade.created"  # nouveau trade (moteur, webhook) : Statistiques se rafraîchit

LIVE_GROUPS: tuple[str, ...] = ()
LIVE_EVENTS = frozenset({MSG_TRADE_CREATED})


def trade_event(trade: Any) -> dict[str, Any]:
    """Le message `trade.created` d'un trade."""
    return {
        "type": MSG_TRADE_CREATED, "trade_id": trade.pk, "active_strategy_id": trade.active_strategy_id,
        "webhook_id": trade.webhook_id, "role": trade.role, "side": trade.side,
        "symbol": trade.symbol, "status": trade.status,
    }
