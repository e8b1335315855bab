"""Noms des groupes du channel layer (Redis) et des types de message, définis une seule fois."""

# Groupes
STREAM_BRUT = "stream_brut"  # chaque message brut reçu de Binance
HEARTBEAT = "heartbeat"  # un heartbeat.signal par bougie clôturée
STATUS = "status"  # mises à jour de la barre de statut


def user_group(user_id: int) -> str:
    """Groupe des événements propres à un utilisateur (trades, positions…)."""
    return f"user_{user_id}"


def backtest_group(backtest_id: int) -> str:
    """Groupe de progression d'un backtest."""
    return f"backtest_{backtest_id}"


# Types de message (le champ "type" ; le consommateur a la méthode du même nom, "." → "_")
MSG_STREAM_RAW = "stream.raw"
MSG_HEARTBEAT_SIGNAL = "heartbeat.signal"
MSG_STATUS_UPDATE = "status.update"
MSG_STATUS_CHANGED = "status.changed"  # notification interne : le consommateur recalcule le statut
MSG_PAIRS_PROGRESS = "pairs.progress"  # progression de « MAJ Paires de trading » (groupe user_<id>)
# Progression d'un backtest (groupe backtest_<id>, consommateur `/ws/backtest/<id>/`)
MSG_BACKTEST_PROGRESS = "backtest.progress"  # {phase: download|compute, progress, download_progress, …}
MSG_BACKTEST_DONE = "backtest.done"  # {summary: statistiques principales}
MSG_BACKTEST_ERROR = "backtest.error"  # {message}
MSG_BACKTEST_CANCELLED = "backtest.cancelled"
