"""Lectures pour la page Heartbeat : état, derniers signaux, dernières bougies."""

from __future__ import annotations

from typing import Any

from apps.core.numbers import decimal_text
from apps.core.timeframes import TIMEFRAMES, dt_to_ms
from apps.heartbeat.models import CandleHeartbeat, HeartbeatSignal, HeartbeatStatus


def heartbeat_status_get() -> HeartbeatStatus:
    """La ligne unique d'état du heartbeat ; avant le premier démarrage du service, un état vide
    (non enregistré : une lecture n'écrit rien, le service crée la ligne)."""
    return HeartbeatStatus.objects.filter(pk=1).first() or HeartbeatStatus(pk=1)


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def heartbeat_status_data() -> dict[str, Any]:
    """La ligne ``heartbeat_status`` sous forme JSON."""
    status: HeartbeatStatus = heartbeat_status_get()
    return {
        "is_connected": status.is_connected,
        "last_heartbeat": _iso(status.last_heartbeat),
        "last_message_at": _iso(status.last_message_at),
        "symbols": status.symbols,
        "last_error": status.last_error,
        "started_at": _iso(status.started_at),
        "updated_at": _iso(status.updated_at),
        "timeframes": list(TIMEFRAMES),
    }


def _signal_data(signal: HeartbeatSignal) -> dict[str, Any]:
    # Mêmes champs que le message ``heartbeat.signal`` (+ ``backfilled``) : l'interface fusionne.
    return {
        "timeframe": signal.timeframe,
        "symbol": signal.symbol,
        "open_time": dt_to_ms(signal.open_time),
        "close_time": dt_to_ms(signal.close_time),
        "sent_at": _iso(signal.sent_at),
        "backfilled": signal.backfilled,
    }


def heartbeat_signals_recent(
    *, timeframe: str, limit: int, symbol: str | None = None
) -> list[dict[str, Any]]:
    """Derniers signaux d'une unité de temps, le plus récent en premier."""
    qs = HeartbeatSignal.objects.filter(timeframe=timeframe)
    if symbol:
        qs = qs.filter(symbol=symbol)
    return [_signal_data(s) for s in qs.order_by("-sent_at", "-open_time")[:limit]]


def heartbeat_signals_by_timeframe(
    *, limit: int, symbol: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Les derniers signaux de chacune des 8 unités de temps."""
    return {
        tf: heartbeat_signals_recent(timeframe=tf, limit=limit, symbol=symbol) for tf in TIMEFRAMES
    }


def heartbeat_candles_recent(*, symbol: str, timeframe: str, limit: int) -> list[dict[str, Any]]:
    """Les ``limit`` dernières bougies stockées, dans l'ordre chronologique."""
    rows = list(
        CandleHeartbeat.objects.filter(symbol=symbol, timeframe=timeframe).order_by("-open_time")[
            :limit
        ]
    )
    rows.reverse()
    return [
        {
            "symbol": c.symbol,
            "timeframe": c.timeframe,
            "open_time": dt_to_ms(c.open_time),
            "close_time": dt_to_ms(c.close_time),
            "open": decimal_text(c.open_price),
            "high": decimal_text(c.high_price),
            "low": decimal_text(c.low_price),
            "close": decimal_text(c.close_price),
            "volume": decimal_text(c.volume),
            "quote_volume": decimal_text(c.quote_volume),
            "trades": c.trades_count,
        }
        for c in rows
    ]
