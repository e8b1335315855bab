"""Les unités de temps d'Aristobot (spec §3.1) et leur durée."""

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
