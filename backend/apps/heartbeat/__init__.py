"""Service Heartbeat : flux Binance → bougies 1m…4h → base → signaux (voir docs/heartbeat.md)."""
