"""Groupes du channel layer (Redis) et types de message du cœur.

Le cœur ne connaît que la barre de statut et le groupe de chaque utilisateur. Chaque app
déclare ses propres groupes et types dans son module `messages.py` ; celles dont les événements
vont au navigateur par la WebSocket partagée `/ws/heartbeat/` y exposent aussi `LIVE_GROUPS`
(groupes rejoints par chaque connexion) et `LIVE_EVENTS` (types relayés tels quels), et sont
listées dans le réglage ARISTOBOT_LIVE_MESSAGES (voir `consumers.LiveConsumer`).
"""

STATUS = "status"  # mises à jour de la barre de statut


def user_group(user_id: int) -> str:
    """Groupe des événements propres à un utilisateur (trades, positions…)."""
    return f"user_{user_id}"


# Types de message (le champ "type" ; le consommateur a la méthode du même nom, "." → "_")
MSG_STATUS_UPDATE = "status.update"
MSG_STATUS_CHANGED = "status.changed"  # notification interne : le consommateur recalcule le statut
