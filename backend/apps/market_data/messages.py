"""Types de message des données de marché (groupe de l'utilisateur)."""

MSG_PAIRS_PROGRESS = "pairs.progress"  # progression de « MAJ Paires de trading »

LIVE_GROUPS: tuple[str, ...] = ()
LIVE_EVENTS = frozenset({MSG_PAIRS_PROGRESS})
