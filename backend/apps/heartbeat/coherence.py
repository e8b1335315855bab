"""Contrôle de cohérence des bougies stockées (spec §6) : trous et chevauchements.

Pour chaque symbole et chaque unité de temps, on lit les ouvertures stockées sur une fenêtre
récente et on cherche :

* les trous : deux bougies consécutives espacées de plus d'une durée, ou une dernière bougie trop
  ancienne (la dernière bougie close depuis plus de ``grace`` devrait être là) ;
* les chevauchements : une ouverture non alignée ou trop proche de la précédente.

Un trou que le rattrapage ne comble pas ouvre une alerte ``candle_gap`` (un chevauchement :
``candle_duplicate``), ce qui rend ``coherent = false`` dans ``/api/status/`` ; l'alerte est
résolue (``resolved_at``) dès que la séquence redevient continue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apps.core.aio import wait_event
from apps.core.models import Alert
from apps.core.timeframes import MINUTE_MS, TIMEFRAMES, timeframe_ms
from apps.heartbeat.aggregator import bucket_start
from apps.heartbeat.backfill import Backfiller
from apps.heartbeat.config import HeartbeatConfig
from apps.heartbeat.publisher import Publisher
from apps.heartbeat.storage import DbRunner, iso_utc, open_times_by_timeframe
from apps.heartbeat.writer import CandleWriter

logger = logging.getLogger("aristobot.heartbeat")

KIND_GAP = "candle_gap"
KIND_OVERLAP = "candle_duplicate"
_MAX_LISTED = 50


@dataclass(frozen=True, slots=True)
class Gap:
    """Ouvertures manquantes dans [start_ms, end_ms) (pas de la durée de l'unité)."""

    start_ms: int
    end_ms: int

    def missing(self, step_ms: int) -> int:
        return (self.end_ms - self.start_ms) // step_ms


@dataclass(frozen=True, slots=True)
class CheckResult:
    symbol: str
    timeframe: str
    gaps: list[Gap]
    overlaps: list[int]


def expected_last_open(now_ms: int, step_ms: int, grace_ms: int) -> int:
    """Ouverture de la dernière bougie qui devrait être stockée (close depuis plus de ``grace``)."""
    return bucket_start(now_ms - grace_ms, step_ms) - step_ms


def find_gaps(
    open_times: list[int], step_ms: int, *, expected_last: int | None = None
) -> tuple[list[Gap], list[int]]:
    """Trous et chevauchements d'une suite triée d'ouvertures (ms)."""
    gaps: list[Gap] = []
    overlaps: list[int] = []
    previous: int | None = None
    for open_time in open_times:
        if open_time % step_ms:
            overlaps.append(open_time)
            continue
        if previous is not None:
            if open_time - previous > step_ms:
                gaps.append(Gap(previous + step_ms, open_time))
            elif open_time - previous < step_ms:
                overlaps.append(open_time)
                continue
        previous = open_time
    if expected_last is not None and previous is not None and previous < expected_last:
        gaps.append(Gap(previous + step_ms, expected_last + step_ms))
    return gaps, overlaps


def check_series(
    *, symbol: str, timeframe: str, open_times: list[int], now_ms: int, grace_ms: int
) -> CheckResult:
    step = timeframe_ms(timeframe)
    gaps, overlaps = find_gaps(
        open_times, step, expected_last=expected_last_open(now_ms, step, grace_ms)
    )
    return CheckResult(symbol, timeframe, gaps, overlaps)


def _gap_message(result: CheckResult) -> tuple[str, dict[str, Any]]:
    step = timeframe_ms(result.timeframe)
    total = sum(g.missing(step) for g in result.gaps)
    first, last = result.gaps[0], result.gaps[-1]
    message = (
        f"{total} bougie(s) {result.timeframe} manquante(s) pour {result.symbol} "
        f"({len(result.gaps)} trou(s), du {iso_utc(first.start_ms)} au {iso_utc(last.end_ms)})."
    )
    details = {
        "total_missing": total,
        "gaps": [
            {"start": iso_utc(g.start_ms), "end": iso_utc(g.end_ms), "missing": g.missing(step)}
            for g in result.gaps[:_MAX_LISTED]
        ],
    }
    return message, details


def _overlap_message(result: CheckResult) -> tuple[str, dict[str, Any]]:
    message = (
        f"{len(result.overlaps)} bougie(s) {result.timeframe} en chevauchement pour "
        f"{result.symbol} (ouverture non alignée ou en double)."
    )
    return message, {"open_times": [iso_utc(t) for t in result.overlaps[:_MAX_LISTED]]}


def _alert_sync(*, kind: str, result: CheckResult, problem: bool, now: datetime) -> bool:
    """Ouvre, met à jour ou résout l'alerte (kind, symbole, tf). True si son état a changé."""
    open_alerts = Alert.objects.filter(
        kind=kind,
        symbol=result.symbol,
        timeframe=result.timeframe,
        user__isnull=True,
        resolved_at__isnull=True,
    )
    if not problem:
        return open_alerts.update(resolved_at=now) > 0
    message, details = (_gap_message if kind == KIND_GAP else _overlap_message)(result)
    alert = open_alerts.first()
    if alert is not None:
        if alert.message != message or alert.details != details:
            alert.message, alert.details = message, details
            alert.save(update_fields=["message", "details"])
        return False
    Alert.objects.create(
        kind=kind,
        level=Alert.Level.WARNING,
        message=message,
        details=details,
        symbol=result.symbol,
        timeframe=result.timeframe,
    )
    return True


def alerts_sync(*, results: list[CheckResult]) -> bool:
    """Reporte les résultats d'un contrôle dans la table ``alerts`` (synchrone, ORM)."""
    now = datetime.now(UTC)
    changed = False
    for result in results:
        changed |= _alert_sync(kind=KIND_GAP, result=result, problem=bool(result.gaps), now=now)
        changed |= _alert_sync(
            kind=KIND_OVERLAP, result=result, problem=bool(result.overlaps), now=now
        )
    return changed


def gaps_to_1m_ranges(results: list[CheckResult], *, limit: int) -> dict[str, list[Gap]]:
    """Plages de minutes à récupérer pour combler les trous (fusionnées, au plus ``limit``)."""
    by_symbol: dict[str, list[Gap]] = {}
    for result in results:
        by_symbol.setdefault(result.symbol, []).extend(result.gaps)
    merged: dict[str, list[Gap]] = {}
    for symbol, gaps in by_symbol.items():
        ranges: list[Gap] = []
        for gap in sorted(gaps, key=lambda g: g.start_ms):
            if ranges and gap.start_ms <= ranges[-1].end_ms:
                last = ranges[-1]
                ranges[-1] = Gap(last.start_ms, max(last.end_ms, gap.end_ms))
            else:
                ranges.append(gap)
        merged[symbol] = ranges[:limit]
    return merged


class CoherenceMonitor:
    """Tâche de fond : contrôle après chaque rattrapage et périodiquement, répare, alerte."""

    def __init__(
        self,
        *,
        config: HeartbeatConfig,
        db: DbRunner,
        backfiller: Backfiller,
        writer: CandleWriter,
        publisher: Publisher,
        clock_ms: Callable[[], int],
    ) -> None:
        self.config = config
        self.db = db
        self.backfiller = backfiller
        self.writer = writer
        self.publisher = publisher
        self.clock_ms = clock_ms
        self.wake = asyncio.Event()
        self.last_results: list[CheckResult] = []

    async def run(self, ready: asyncio.Event) -> None:
        await ready.wait()
        while True:
            await wait_event(self.wake, self.config.coherence_interval_s)
            self.wake.clear()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — PostgreSQL absent… : au prochain tour
                logger.warning("Contrôle de cohérence impossible : %s", exc)

    async def check(self) -> list[CheckResult]:
        now = self.clock_ms()
        since = now - self.config.coherence_window_minutes * MINUTE_MS
        grace = int(self.config.coherence_grace_s * 1000)
        results = []
        for symbol in self.config.symbols:
            series = await self.db.run(open_times_by_timeframe, symbol=symbol, since_ms=since)
            results.extend(
                check_series(
                    symbol=symbol, timeframe=tf, open_times=series.get(tf, []), now_ms=now,
                    grace_ms=grace,
                )
                for tf in TIMEFRAMES
            )
        return results

    async def run_once(self) -> list[CheckResult]:
        """Contrôle la séquence stockée, répare les trous par REST, met les alertes à jour."""
        await self.writer.wait_idle(30.0)
        results = await self.check()
        ranges = gaps_to_1m_ranges(
            [r for r in results if r.gaps], limit=self.config.coherence_max_repairs
        )
        if any(ranges.values()):
            for symbol, gaps in ranges.items():
                for gap in gaps:
                    logger.info(
                        "Réparation %s : minutes %s → %s", symbol, iso_utc(gap.start_ms),
                        iso_utc(gap.end_ms),
                    )
                    try:
                        candles = await self.backfiller.rebuild(
                            self.db, symbol, gap.start_ms, gap.end_ms
                        )
                    except Exception as exc:  # noqa: BLE001 — REST absent : l'alerte reste
                        logger.warning("Réparation %s impossible : %s", symbol, exc)
                        continue
                    # Les bougies supérieures closes pendant le trou sont reconstruites en entier.
                    await self.writer.write_now(candles, overwrite_higher=True)
            results = await self.check()
        for result in results:
            if result.gaps or result.overlaps:
                logger.warning(
                    "Incohérence %s %s : %d trou(s), %d chevauchement(s)", result.symbol,
                    result.timeframe, len(result.gaps), len(result.overlaps),
                )
        if await self.db.run(alerts_sync, results=results):
            self.publisher.status_changed()
        self.last_results = results
        return results
