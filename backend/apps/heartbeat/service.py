"""Le démon Heartbeat : flux WebSocket Binance → bougies 1m…4h → PostgreSQL → signaux Redis.

Une seule boucle asyncio et des tâches indépendantes qui ne se bloquent jamais entre elles :

* ``ws`` lit le flux (bibliothèque ``websockets``), publie chaque message brut et met les bougies
  1m closes dans une file ; reconnexion avec backoff exponentiel + gigue, reconnexion anticipée
  avant la coupure de 24 h et sur ``serverShutdown`` ;
* ``processor`` recharge l'état au démarrage, rattrape par REST ce qui manque (au démarrage, à
  chaque reconnexion, à chaque trou du flux) et agrège ;
* ``writer`` enregistre les bougies (file bornée en mémoire si PostgreSQL est absent) puis confie
  les signaux au ``publisher`` ;
* ``status`` tient ``heartbeat_status`` à jour ; ``coherence`` contrôle et répare la séquence.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

from channels.layers import get_channel_layer
from websockets.asyncio.client import connect

from apps.core.aio import wait_event, with_timeout
from apps.core.daemon import AsyncDaemon, tasks_cancel
from apps.core.services.ccxt_manager import ExchangeCredentials, exchange_build
from apps.core.timeframes import MINUTE_MS
from apps.heartbeat import storage
from apps.heartbeat.aggregator import (
    LARGEST_TF_MS,
    CandleAggregator,
    Kline,
    MalformedMessage,
    ServerShutdown,
    bucket_start,
    parse_stream_message,
)
from apps.heartbeat.backfill import Backfiller
from apps.heartbeat.coherence import CheckResult, CoherenceMonitor
from apps.heartbeat.config import HeartbeatConfig
from apps.heartbeat.messages import MSG_STREAM_RAW
from apps.heartbeat.publisher import Publisher
from apps.heartbeat.status import StatusTracker
from apps.heartbeat.writer import DB_DOWN, CandleWriter

logger = logging.getLogger("aristobot.heartbeat")

_CATCH_UP = object()  # marqueur mis en file à chaque connexion : rattraper avant le direct


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class HeartbeatService(AsyncDaemon):
    """Service Heartbeat configurable (URL, symboles, délais, horloge) pour le démon et les tests."""

    label = "heartbeat"
    logger = logger

    def __init__(
        self,
        config: HeartbeatConfig,
        *,
        clock_ms: Callable[[], int] = wall_clock_ms,
        channel_layer: Any = None,
        store: Callable[..., list[dict[str, Any]]] = storage.candles_store,
        exchange: Any = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.clock_ms = clock_ms
        self._store = store
        self._exchange = exchange
        self._symbols = frozenset(config.symbols)
        self.aggregator = CandleAggregator()
        self.publisher = Publisher(
            channel_layer if channel_layer is not None else get_channel_layer(),
            raw_max=config.raw_queue_max,
            deadline_s=config.publish_deadline_s,
            timeout_s=config.publish_timeout_s,
        )
        self.stats: Counter[str] = Counter()
        self.ready = asyncio.Event()  # état rechargé depuis la base
        self._db = storage.DbRunner()
        self.status = StatusTracker(
            db=self._db, publisher=self.publisher, symbols=config.symbols,
            interval_s=config.status_interval_s, clock_ms=clock_ms,
        )
        self.writer = CandleWriter(
            config=config, db=self._db, publisher=self.publisher, clock_ms=clock_ms, store=store,
            stats=self.stats, on_error=self.status.set_error, on_signals=self.status.signals_sent,
        )
        self.backfiller: Backfiller | None = None
        self.coherence: CoherenceMonitor | None = None
        self._klines: asyncio.Queue[Any] = asyncio.Queue()
        self._resume_from: dict[str, int] = {}
        self._last_bad_log = 0.0
        self._processing = False
        self._catch_up_queued = False

    # --- Cycle de vie (run / stop / serve : `AsyncDaemon`) ---------------------------------------
    def request_catch_up(self) -> None:
        """Demande un rattrapage REST de tous les symboles (comme à chaque connexion)."""
        if not self._catch_up_queued:  # reconnexions en rafale : un seul rattrapage en attente
            self._catch_up_queued = True
            self._klines.put_nowait(_CATCH_UP)

    @property
    def is_connected(self) -> bool:
        return self.status.connected

    async def start(self, stack: AsyncExitStack) -> list[asyncio.Task[Any]]:
        stack.push_async_callback(self._db.close)
        exchange = self._exchange or exchange_build(
            credentials=ExchangeCredentials(exchange_id="binance"), base_url=self.config.rest_url)
        self.backfiller = Backfiller(
            exchange, max_minutes=self.config.max_backfill_minutes, clock_ms=self.clock_ms
        )
        stack.push_async_callback(self.backfiller.close)
        self.coherence = CoherenceMonitor(
            config=self.config, db=self._db, backfiller=self.backfiller, writer=self.writer,
            publisher=self.publisher, clock_ms=self.clock_ms,
        )
        self.status.started()
        logger.info("Heartbeat démarré pour %s", ", ".join(self.config.symbols))
        coros = {
            "processor": self._processor(), "writer": self.writer.run(),
            "publisher": self.publisher.run(), "status": self.status.run(),
            "coherence": self.coherence.run(self.ready),
        }
        if self.config.ws_url:
            coros["ws"] = self._ws_loop()
        tasks = [asyncio.create_task(c, name=f"heartbeat-{n}") for n, c in coros.items()]
        stack.push_async_callback(self._shutdown, tasks)
        return tasks

    async def _shutdown(self, tasks: list[asyncio.Task[Any]]) -> None:
        """Arrête la lecture, vide ce qui peut l'être (délais courts), puis marque « déconnecté »."""
        by_name = {t.get_name().removeprefix("heartbeat-"): t for t in tasks}
        await tasks_cancel([by_name[n] for n in ("ws",) if n in by_name], logger=logger)
        await self.wait_idle(timeout=5.0)  # bougies déjà reçues : agrégées et enregistrées
        await tasks_cancel([by_name["processor"], by_name["coherence"]], logger=logger)
        if not await self.writer.wait_idle(2.0):
            logger.warning("Arrêt : %d bougie(s) non enregistrée(s)", len(self.writer.pending))
        await self.publisher.wait_idle(2.0)
        await tasks_cancel([by_name[n] for n in ("writer", "publisher", "status")], logger=logger)
        await self.status.final()
        logger.info("Heartbeat arrêté")

    async def wait_idle(self, timeout: float = 10.0, *, publisher: bool = True) -> bool:
        """Attend que les bougies en file soient enregistrées (et les messages publiés)."""
        deadline = time.monotonic() + timeout
        while (
            not self._klines.empty() or self._processing or not self.writer.idle
            or (publisher and self.publisher.backlog)
        ):
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    # --- Réception WebSocket --------------------------------------------------------------------
    async def _ws_loop(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            self.stats["ws_attempts"] += 1
            planned = False
            before = self.stats["messages"]
            try:
                reason = await self._ws_session()
                planned = True
                logger.info("Reconnexion du flux (%s)", reason)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — refus, coupure, délai : on réessaie
                self.status.set_error(f"Flux WebSocket interrompu : {type(exc).__name__}: {exc}")
                logger.warning("Flux WebSocket interrompu (%s: %s)", type(exc).__name__, exc)
            finally:
                had_messages = self.stats["messages"] > before
                if self.status.connected:
                    self.status.set_connected(False)
            if planned or had_messages:
                attempt = 0
            delay = 0.05 if planned else self.config.backoff(attempt)
            attempt += 0 if planned else 1
            await wait_event(self._stop, delay)

    async def _ws_session(self) -> str:
        url = self.config.stream_url()
        async with connect(
            url,
            open_timeout=self.config.open_timeout_s,
            ping_interval=self.config.ping_interval_s,
            ping_timeout=self.config.ping_interval_s,
            close_timeout=2,
            max_size=2**22,
        ) as ws:
            logger.info("Connecté au flux %s", url)
            self.stats["ws_connected"] += 1
            self.status.set_connected(True)
            self.request_catch_up()
            deadline = time.monotonic() + self.config.max_connection_age_s
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return "âge maximal de connexion atteint"
                try:
                    raw = await with_timeout(ws.recv(), min(remaining, self.config.idle_timeout_s))
                except TimeoutError:
                    if time.monotonic() >= deadline:
                        return "âge maximal de connexion atteint"
                    raise ConnectionError(
                        f"aucun message depuis {self.config.idle_timeout_s:g} s"
                    ) from None
                if self.handle_raw(raw):
                    return "serverShutdown annoncé par le serveur"

    def handle_raw(self, raw: str | bytes) -> bool:
        """Traite un message du flux sans jamais lever ; True s'il annonce une coupure serveur."""
        try:
            now = self.clock_ms()
            self.stats["messages"] += 1
            self.status.message_received(now)
            try:
                data = json.loads(raw)
            except ValueError as exc:
                self._bad_message(f"JSON invalide ({exc})")
                return False
            self.publisher.raw(
                {"type": MSG_STREAM_RAW, "received_at": storage.iso_utc(now), "data": data}
            )
            try:
                event = parse_stream_message(data)
            except MalformedMessage as exc:
                self._bad_message(str(exc))
                return False
            if isinstance(event, Kline) and event.closed and event.symbol in self._symbols:
                self._klines.put_nowait(event)
            return isinstance(event, ServerShutdown)
        except Exception:  # noqa: BLE001 — un message ne doit jamais tuer la boucle
            logger.exception("Message du flux ignoré (erreur inattendue)")
            return False

    def _bad_message(self, reason: str) -> None:
        self.stats["malformed"] += 1
        now = time.monotonic()
        if now - self._last_bad_log > 10.0:
            self._last_bad_log = now
            logger.warning("Message ignoré : %s (%d au total)", reason, self.stats["malformed"])

    # --- Agrégation et rattrapage ---------------------------------------------------------------
    async def _processor(self) -> None:
        await self._warm_up()
        self.ready.set()
        while True:
            item = await self._klines.get()
            self._processing = True
            try:
                if item is _CATCH_UP:
                    self._catch_up_queued = False
                    for symbol in self.config.symbols:
                        await self._backfill(symbol)
                    if self.coherence is not None:
                        self.coherence.wake.set()
                else:
                    await self._ingest_live(item)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001
                logger.exception("Erreur de traitement d'une bougie (ignorée)")
            finally:
                self._processing = False

    async def _warm_up(self) -> None:
        """Recharge l'état de l'agrégateur depuis la base (réessaie tant que PostgreSQL manque)."""
        attempt = 0
        while True:
            try:
                for symbol in self.config.symbols:
                    await self._warm_up_symbol(symbol)
                return
            except DB_DOWN as exc:
                self.status.set_error(f"PostgreSQL indisponible au démarrage : {exc}")
                logger.warning("PostgreSQL indisponible au démarrage (%s) ; nouvel essai", exc)
                await asyncio.sleep(self.config.backoff(attempt))
                attempt += 1

    async def _warm_up_symbol(self, symbol: str) -> None:
        now = self.clock_ms()
        assert self.backfiller is not None
        last = await self._db.run(storage.last_stored_open_ms, symbol=symbol)
        if last is None:
            since = bucket_start(now - self.config.initial_backfill_minutes * MINUTE_MS,
                                 LARGEST_TF_MS)
        else:
            since = last + MINUTE_MS
        since = max(since, self.backfiller.floor_ms(now))
        prime_from = bucket_start(since, LARGEST_TF_MS)
        self.aggregator.prime(symbol, prime_from)
        self._resume_from[symbol] = since
        stored = await self._db.run(
            storage.stored_klines_1m, symbol=symbol, start_ms=prime_from, end_ms=since
        )
        for kline in stored:
            self._emit(self.aggregator.feed(kline))
        logger.info("Reprise %s à partir de %s (%d minute(s) rechargée(s))",
                    symbol, storage.iso_utc(since), len(stored))

    async def _ingest_live(self, kline: Kline) -> None:
        last = self.aggregator.last_open_time(kline.symbol)
        if last is None or kline.open_time > last + MINUTE_MS:
            logger.info("Minutes manquantes pour %s avant %s : rattrapage", kline.symbol,
                        storage.iso_utc(kline.open_time))
            await self._backfill(kline.symbol, until_ms=kline.open_time)
            if self.aggregator.last_open_time(kline.symbol) is None:
                # Rien en base ni par REST : on ne construit que les seaux vus depuis leur début.
                self.aggregator.prime(kline.symbol, kline.open_time)
        self._emit(self.aggregator.feed(kline))

    async def _backfill(self, symbol: str, until_ms: int | None = None) -> None:
        """Récupère par REST les minutes closes manquantes et les fait passer par l'agrégateur."""
        assert self.backfiller is not None
        last = self.aggregator.last_open_time(symbol)
        since = max(last + MINUTE_MS if last is not None else 0, self._resume_from.get(symbol, 0))
        klines: list[Kline] = []
        for attempt in range(self.config.backfill_retries):
            try:
                klines = await self.backfiller.fetch_closed(symbol, since, until_ms)
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — réseau, exchange : le trou reste signalé
                logger.warning("Rattrapage REST %s impossible (essai %d/%d) : %s", symbol,
                               attempt + 1, self.config.backfill_retries, exc)
                if attempt + 1 < self.config.backfill_retries:
                    await asyncio.sleep(self.config.backoff(attempt))
        count = 0
        for kline in klines:
            if until_ms is not None and kline.open_time >= until_ms:
                break
            self._emit(self.aggregator.feed(kline))
            count += 1
        self.stats["backfilled"] += count
        if count:
            logger.info("Rattrapage %s : %d bougie(s) 1m depuis %s", symbol, count,
                        storage.iso_utc(since))

    def _emit(self, candles: list[Any]) -> None:
        self.writer.emit(candles)

    # --- Cohérence ------------------------------------------------------------------------------
    async def coherence_run(self) -> list[CheckResult]:
        """Un contrôle de cohérence immédiat (réparation et alertes comprises)."""
        assert self.coherence is not None
        return await self.coherence.run_once()
