"""Écritures (et lectures internes) du heartbeat en base, appelées hors de la boucle asyncio.

Toutes les fonctions sont synchrones : le service les exécute dans le fil dédié de ``DbRunner``
(une connexion PostgreSQL persistante, jamais d'appel bloquant dans la boucle).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.db import close_old_connections, connection, connections, transaction
from django.db.utils import InterfaceError, OperationalError

from apps.core.timeframes import dt_to_ms, ms_to_dt
from apps.heartbeat.aggregator import Candle, Kline
from apps.heartbeat.messages import MSG_HEARTBEAT_SIGNAL
from apps.heartbeat.models import CandleHeartbeat, HeartbeatSignal, HeartbeatStatus

logger = logging.getLogger(__name__)
T = TypeVar("T")

_CHUNK = 500
_STALE_AFTER_S = 60.0


def iso_utc(ms: int) -> str:
    """Horodatage ISO-8601 UTC (suffixe Z) à la milliseconde."""
    return ms_to_dt(ms).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class DbRunner:
    """Exécute les fonctions ORM dans un fil unique (connexion persistante, ordre préservé).

    Une connexion inutilisable (PostgreSQL redémarré, coupure) est fermée après l'erreur ; la
    suivante se reconnecte. Après une inactivité, ``close_old_connections`` écarte la connexion
    périmée.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="heartbeat-db")
        self._last_use = 0.0

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if time.monotonic() - self._last_use > _STALE_AFTER_S:
            close_old_connections()
        try:
            return fn(*args, **kwargs)
        except (OperationalError, InterfaceError):
            connection.close()
            raise
        finally:
            self._last_use = time.monotonic()

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, functools.partial(self._call, fn, *args, **kwargs)
        )

    async def close(self) -> None:
        """Ferme la connexion du fil puis le fil lui-même."""
        try:
            async with asyncio.timeout(5):
                await self.run(connections.close_all)
        except Exception:  # noqa: BLE001 — fermeture au mieux
            logger.debug("Fermeture de la connexion du heartbeat impossible", exc_info=True)
        self._executor.shutdown(wait=False, cancel_futures=True)


# --- Bougies et signaux -------------------------------------------------------------------------

_CANDLE_COLUMNS = (
    "symbol", "timeframe", "open_time", "close_time", "open_price", "high_price", "low_price",
    "close_price", "volume", "quote_volume", "trades_count", "created_at",
)
_SIGNAL_COLUMNS = ("symbol", "timeframe", "open_time", "close_time", "sent_at", "backfilled")


_UPDATABLE = ("close_time", "open_price", "high_price", "low_price", "close_price", "volume",
              "quote_volume", "trades_count")


def _insert_returning_keys(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    overwrite_higher: bool = False,
) -> tuple[set[tuple[str, str, int]], int]:
    """INSERT … ON CONFLICT ; renvoie (clés (symbole, tf, ms) réellement insérées, nb mises à jour).

    ``overwrite_higher`` : une bougie supérieure (pas la 1m) déjà stockée mais différente est
    remplacée (réparation à partir de minutes plus complètes) ; sinon ON CONFLICT DO NOTHING.
    """
    inserted: set[tuple[str, str, int]] = set()
    updated = 0
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    if overwrite_higher:
        current = ", ".join(f"{table}.{c}" for c in _UPDATABLE)
        excluded = ", ".join(f"EXCLUDED.{c}" for c in _UPDATABLE)
        conflict = (
            f"DO UPDATE SET ({', '.join(_UPDATABLE)}) = ({excluded}) "
            f"WHERE {table}.timeframe <> '1m' AND ({current}) IS DISTINCT FROM ({excluded})"
        )
    else:
        conflict = "DO NOTHING"
    for i in range(0, len(rows), _CHUNK):
        chunk = rows[i : i + _CHUNK]
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            f"{', '.join([placeholders] * len(chunk))} "
            f"ON CONFLICT (symbol, timeframe, open_time) {conflict} "
            "RETURNING symbol, timeframe, (EXTRACT(EPOCH FROM open_time) * 1000)::bigint, "
            "(xmax = 0)"
        )
        cursor.execute(sql, [value for row in chunk for value in row])
        for symbol, tf, ms, is_new in cursor.fetchall():
            if is_new:
                inserted.add((symbol, tf, int(ms)))
            else:
                updated += 1
    return inserted, updated


def candles_store(
    *,
    candles: Sequence[Candle],
    now_ms: int,
    signal_due: Callable[[Candle], bool],
    overwrite_higher: bool = False,
) -> list[dict[str, Any]]:
    """Enregistre des bougies clôturées (idempotent) et les signaux à émettre, en une transaction.

    Seule une bougie réellement nouvelle peut produire un signal, et seulement si ``signal_due``
    l'accepte ; la contrainte d'unicité des signaux garantit un seul signal par
    (symbole, tf, ouverture). Renvoie les messages ``heartbeat.signal`` à publier APRÈS le commit.
    ``overwrite_higher`` : voir ``_insert_returning_keys`` (réparation de la cohérence).
    """
    if not candles:
        return []
    created = ms_to_dt(now_ms)
    candle_rows = [
        (
            c.symbol, c.timeframe, ms_to_dt(c.open_time), ms_to_dt(c.close_time), c.open, c.high,
            c.low, c.close, c.volume, c.quote_volume, c.trades, created,
        )
        for c in candles
    ]
    sent_at = iso_utc(now_ms)
    with transaction.atomic(), connection.cursor() as cursor:
        new_keys, updated = _insert_returning_keys(
            cursor, CandleHeartbeat._meta.db_table, _CANDLE_COLUMNS, candle_rows,
            overwrite_higher=overwrite_higher,
        )
        if updated:
            logger.info("%d bougie(s) supérieure(s) reconstruite(s) à partir de minutes complètes",
                        updated)
        to_signal = [c for c in candles if c.key in new_keys and signal_due(c)]
        if not to_signal:
            return []
        signal_rows = [
            (c.symbol, c.timeframe, ms_to_dt(c.open_time), ms_to_dt(c.close_time), created,
             c.backfilled)
            for c in to_signal
        ]
        signalled, _ = _insert_returning_keys(
            cursor, HeartbeatSignal._meta.db_table, _SIGNAL_COLUMNS, signal_rows
        )
    return [
        {
            "type": MSG_HEARTBEAT_SIGNAL,
            "timeframe": c.timeframe,
            "symbol": c.symbol,
            "open_time": c.open_time,
            "close_time": c.close_time,
            "sent_at": sent_at,
        }
        for c in to_signal
        if c.key in signalled
    ]


def last_stored_open_ms(*, symbol: str, timeframe: str = "1m") -> int | None:
    """Ouverture (ms) de la dernière bougie stockée de ce symbole et de cette unité."""
    last = (
        CandleHeartbeat.objects.filter(symbol=symbol, timeframe=timeframe)
        .order_by("-open_time")
        .values_list("open_time", flat=True)
        .first()
    )
    return dt_to_ms(last) if last else None


def stored_klines_1m(*, symbol: str, start_ms: int, end_ms: int) -> list[Kline]:
    """Bougies 1m stockées dont l'ouverture est dans [start, end), par ordre chronologique."""
    rows = (
        CandleHeartbeat.objects.filter(
            symbol=symbol,
            timeframe="1m",
            open_time__gte=ms_to_dt(start_ms),
            open_time__lt=ms_to_dt(end_ms),
        )
        .order_by("open_time")
        .values_list(
            "open_time", "open_price", "high_price", "low_price", "close_price", "volume",
            "quote_volume", "trades_count",
        )
    )
    return [
        Kline(symbol, dt_to_ms(t), o, h, low, c, v, q, n, True, "stored")
        for t, o, h, low, c, v, q, n in rows
    ]


# --- État du service ----------------------------------------------------------------------------


def status_update(
    *,
    is_connected: bool,
    last_heartbeat: datetime | None,
    last_message_at: datetime | None,
    symbols: list[str],
    last_error: str,
    started_at: datetime | None,
) -> None:
    """Met à jour la ligne unique ``heartbeat_status`` (créée au besoin)."""
    fields = {"is_connected": is_connected, "last_heartbeat": last_heartbeat,
              "last_message_at": last_message_at, "symbols": symbols, "last_error": last_error,
              "started_at": started_at}
    updated = HeartbeatStatus.objects.filter(pk=1).update(**fields, updated_at=datetime.now(UTC))
    if not updated:
        HeartbeatStatus.objects.update_or_create(pk=1, defaults=fields)


def open_times_by_timeframe(*, symbol: str, since_ms: int) -> dict[str, list[int]]:
    """Ouvertures (ms) stockées depuis ``since_ms`` par unité de temps, triées (cohérence)."""
    result: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT timeframe, (EXTRACT(EPOCH FROM open_time) * 1000)::bigint "
            f"FROM {CandleHeartbeat._meta.db_table} "
            "WHERE symbol = %s AND open_time >= %s ORDER BY timeframe, open_time",
            [symbol, ms_to_dt(since_ms)],
        )
        for timeframe, open_ms in cursor.fetchall():
            result.setdefault(timeframe, []).append(int(open_ms))
    return result
