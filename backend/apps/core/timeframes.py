"""Les unités de temps d'Aristobot (spec §3.1), leur durée, et les horodatages en millisecondes.

Une seule définition pour toute l'application (heartbeat, bougies, backtest, moteur) ; le
simulateur d'exchange, autonome, garde la sienne.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

TIMEFRAMES: tuple[str, ...] = ("1m", "3m", "5m", "10m", "15m", "1h", "2h", "4h")
TIMEFRAME_MINUTES: dict[str, int] = {
    "1m": 1,
    "3m": 3,
    "5m": 5,
    "10m": 10,
    "15m": 15,
    "1h": 60,
    "2h": 120,
    "4h": 240,
}
TIMEFRAME_CHOICES = [(tf, tf) for tf in TIMEFRAMES]

MINUTE_MS = 60_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def timeframe_ms(timeframe: str) -> int:
    """Durée d'une bougie en millisecondes (`ValueError` si l'unité est inconnue)."""
    try:
        return TIMEFRAME_MINUTES[timeframe] * MINUTE_MS
    except KeyError:
        raise ValueError(f"Unité de temps inconnue : « {timeframe} »") from None


def ms_to_dt(ms: int) -> datetime:
    """Millisecondes UTC depuis l'époque → datetime aware (UTC), exact à la milliseconde."""
    return _EPOCH + timedelta(milliseconds=ms)


def dt_to_ms(value: datetime) -> int:
    """Datetime aware → millisecondes UTC depuis l'époque (exact)."""
    return (value - _EPOCH) // timedelta(milliseconds=1)
