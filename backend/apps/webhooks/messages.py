"""Types de message des webhooks (groupe de l'utilisateur)."""

MSG_WEBHOOK_LOGGED = "webhook.logged"  # {webhook_id, status} : reçu, exécuté, rejeté…

LIVE_GROUPS: tuple[str, ...] = ()
LIVE_EVENTS = frozenset({MSG_WEBHOOK_LOGGED})
