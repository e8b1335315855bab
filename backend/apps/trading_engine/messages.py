"""Types de message du Trading BOT (groupe de l'utilisateur)."""

MSG_ACTIVE_STRATEGY_CHANGED = "active_strategy.changed"  # la page Trading BOT relit la stratégie
MSG_POSITION_CHANGED = "position.changed"  # position ouverte, mise à jour ou clôturée

LIVE_GROUPS: tuple[str, ...] = ()
LIVE_EVENTS = frozenset({MSG_ACTIVE_STRATEGY_CHANGED, MSG_POSITION_CHANGED})
