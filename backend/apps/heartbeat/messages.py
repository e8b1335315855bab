"""Groupes et types de message du heartbeat (diffusés à tous les utilisateurs connectés)."""

STREAM_BRUT = "StreamBrut"  # chaque message brut reçu de Binance
HEARTBEAT = "Heartbeat"  # un heartbeat.signal par bougie clôturée

MSG_STREAM_RAW = "stream.raw"
MSG_HEARTBEAT_SIGNAL = "heartbeat.signal"

LIVE_GROUPS = (STREAM_BRUT, HEARTBEAT)
LIVE_EVENTS = frozenset({MSG_STREAM_RAW, MSG_HEARTBEAT_SIGNAL})
