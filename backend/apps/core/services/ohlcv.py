"""Téléchargement paginé de bougies OHLCV (backtest, moteur de trading) pour n'importe quelle période.

- Pages de 1000 bougies, curseur = ouverture de la dernière bougie + 1 unité : contigu, sans doublon.
- Seules les bougies CLÔTURÉES sont rendues (`ouverture + unité <= maintenant`).
- Une unité que l'exchange ne sert pas (Binance n'a pas de 10m) est construite à partir du 1m par
  agrégation alignée sur l'époque Unix (`t − t % (N·60000)`).

Lignes rendues : `[open_ms, open, high, low, close, volume]` (format CCXT), triées par `open_ms`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apps.core.exceptions import AristobotError
from apps.core.services.ccxt_manager import public_exchange_get
from apps.core.services.exchange import market_resolve, markets_ensure
from apps.core.services.exchange_errors import exchange_call, exchange_display
from apps.core.timeframes import MINUTE_MS

PAGE_LIMIT = 1000

Row = list[Any]


def ohlcv_aggregate(rows: Iterable[Row], *, bucket_ms: int) -> list[Row]:
    """Agrège des bougies (1m) en bougies de `bucket_ms`, alignées sur l'époque Unix."""
    buckets: dict[int, Row] = {}
    for ts, o, h, lo, c, v in sorted(rows, key=lambda r: r[0]):
        start = int(ts) - int(ts) % bucket_ms
        current = buckets.get(start)
        if current is None:
            buckets[start] = [start, o, h, lo, c, v or 0]
        else:
            current[2] = max(current[2], h)
            current[3] = min(current[3], lo)
            current[4] = c
            current[5] = (current[5] or 0) + (v or 0)
    return [buckets[key] for key in sorted(buckets)]


async def _paginate(
    exchange: Any, symbol: str, timeframe: str, since_ms: int, until_ms: int, tf_ms: int
) -> list[Row]:
    """Toutes les bougies natives d'ouverture dans [since_ms, until_ms), page par page."""
    by_open: dict[int, Row] = {}
    cursor = since_ms
    while cursor < until_ms:
        page = await exchange_call(
            exchange,
            lambda c=cursor: exchange.fetch_ohlcv(
                symbol, timeframe, since=c, limit=PAGE_LIMIT, params={"until": until_ms - 1}
            ),
            safe=True,
        )
        page = [row for row in page if cursor <= int(row[0]) < until_ms]
        if not page:
            break
        for row in page:
            by_open[int(row[0])] = [int(row[0]), *row[1:6]]
        next_cursor = int(page[-1][0]) + tf_ms
        if next_cursor <= cursor:  # garde-fou contre une réponse qui ne ferait pas avancer
            break
        cursor = next_cursor
    return [by_open[key] for key in sorted(by_open)]


def _ceil_to(value: int, step: int) -> int:
    return -(-value // step) * step


async def ohlcv_fetch(
    *,
    exchange_id: str,
    symbol: str,
    timeframe: str,
    since_ms: int,
    until_ms: int | None = None,
    exchange: Any | None = None,
) -> list[Row]:
    """Bougies clôturées d'ouverture dans [since_ms, until_ms) (jusqu'à maintenant par défaut).

    `exchange` : instance à utiliser (par défaut l'instance publique de l'exchange).
    """
    if exchange is None:
        exchange = await public_exchange_get(exchange_id=exchange_id)
    await markets_ensure(exchange)
    unified = market_resolve(exchange, symbol)["symbol"]
    name = exchange_display(exchange)
    try:
        tf_ms = int(exchange.parse_timeframe(timeframe)) * 1000
    except Exception:
        raise AristobotError(f"Unité de temps invalide : « {timeframe} ».", code="bad_timeframe") from None
    if tf_ms <= 0:
        raise AristobotError(f"Unité de temps invalide : « {timeframe} ».", code="bad_timeframe")
    now_ms = int(exchange.milliseconds())
    end = min(until_ms if until_ms is not None else now_ms, now_ms)
    timeframes = exchange.timeframes or {}
    if timeframe in timeframes:
        rows = await _paginate(exchange, unified, timeframe, int(since_ms), end, tf_ms)
    elif tf_ms % MINUTE_MS == 0 and "1m" in timeframes:
        start = _ceil_to(int(since_ms), tf_ms)
        minute_end = min(_ceil_to(end, tf_ms), now_ms - now_ms % MINUTE_MS)
        minutes = await _paginate(exchange, unified, "1m", start, minute_end, MINUTE_MS)
        rows = ohlcv_aggregate(minutes, bucket_ms=tf_ms)
    else:
        raise AristobotError(
            f"Unité de temps {timeframe} non disponible sur {name}.", code="bad_timeframe"
        )
    return [row for row in rows if since_ms <= row[0] < end and row[0] + tf_ms <= now_ms]
