"""Banc d'essai du heartbeat : débit du chemin agrégation → PostgreSQL → Redis, et latence.

Usage : `cd backend && ../.venv/bin/python ../bench/heartbeat.py [--closed 5000] [--latency 400]`

Mesures (même processus, vrais PostgreSQL et Redis, base temporaire créée puis supprimée) :

1. agrégation seule : `json.loads` + lecture du message + `CandleAggregator.feed` ;
2. chemin complet, flux de bougies closes uniquement (pire cas : chaque message crée une bougie 1m,
   ~0,73 bougie supérieure en moyenne, toutes enregistrées et signalées) : messages injectés par
   `HeartbeatService.handle_raw`, chronométrés jusqu'à ce que tout soit en base et publié ;
3. chemin complet, flux réaliste (29 mises à jour `x: false` pour 1 clôture, comme Binance : une
   mise à jour toutes les 2 s) ;
4. latence entre l'arrivée d'une kline close et la réception du `heartbeat.signal` correspondant par
   un abonné du groupe `heartbeat` sur Redis (p50, p99), à cadence modérée.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

BACKEND = Path(__file__).resolve().parent.parent / "backend"
sys.path.insert(0, str(BACKEND))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aristobot.settings")
os.environ["TEST_DATABASE_NAME"] = f"aristobot_bench_heartbeat_{os.getpid()}"
os.environ["CHANNEL_LAYER_PREFIX"] = f"aristobot-bench-{uuid.uuid4().hex[:8]}"

import django  # noqa: E402

django.setup()

from channels import DEFAULT_CHANNEL_LAYER  # noqa: E402
from channels.layers import channel_layers  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from apps.heartbeat import messages as heartbeat_messages  # noqa: E402
from apps.heartbeat.aggregator import CandleAggregator, Kline, parse_stream_message  # noqa: E402
from apps.heartbeat.config import HeartbeatConfig  # noqa: E402
from apps.heartbeat.models import CandleHeartbeat, HeartbeatSignal  # noqa: E402
from apps.heartbeat.service import HeartbeatService  # noqa: E402

MINUTE = 60_000
T0 = 1_767_571_200_000  # 2026-01-05 00:00 UTC, frontière de 4 h
SYMBOL = "BTCUSDT"


def message(open_time: int, *, closed: bool = True, price: float = 40_000.0) -> str:
    """Message du flux combiné Binance pour une kline 1m."""
    o, c = price, price * (1.0005 if open_time // MINUTE % 2 else 0.9995)
    k = {"t": open_time, "T": open_time + MINUTE - 1, "s": SYMBOL, "i": "1m", "f": 1, "L": 2,
         "o": f"{o:.2f}", "c": f"{c:.2f}", "h": f"{max(o, c) + 5:.2f}", "l": f"{min(o, c) - 5:.2f}",
         "v": "12.34567", "n": 321, "x": closed, "q": "493827.1", "V": "0", "Q": "0", "B": "0"}
    payload = {"e": "kline", "E": open_time + (MINUTE if closed else 1000), "s": SYMBOL, "k": k}
    return json.dumps({"stream": f"{SYMBOL.lower()}@kline_1m", "data": payload})


class _NoExchange:
    """Exchange sans historique (paire « nouvellement listée ») : aucun appel réseau."""

    markets_by_id: dict[str, Any] = {SYMBOL: [{"symbol": "BTC/USDT"}]}

    async def load_markets(self) -> dict[str, Any]:
        return {}

    async def fetch_time(self) -> int:
        return T0

    async def fetch_ohlcv(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []

    async def close(self) -> None:
        return None


def make_service(clock: Any) -> HeartbeatService:
    config = HeartbeatConfig(ws_url=None, rest_url="http://127.0.0.1:9", symbols=(SYMBOL,),
                             coherence_interval_s=None, status_interval_s=2.0,
                             raw_queue_max=100_000, pending_max=1_000_000)
    return HeartbeatService(config, clock_ms=clock, exchange=_NoExchange())


def _reset_tables_sync() -> None:
    from django.db import connection

    CandleHeartbeat.objects.all().delete()
    HeartbeatSignal.objects.all().delete()
    connection.close()  # fil jetable : pas de session laissée ouverte sur la base temporaire


async def _reset_tables() -> None:
    from asgiref.sync import sync_to_async

    await sync_to_async(_reset_tables_sync, thread_sensitive=False)()


def bench_aggregation(count: int) -> tuple[int, float]:
    raw = [message(T0 + i * MINUTE) for i in range(count)]
    agg = CandleAggregator()
    start = time.perf_counter()
    produced = 0
    for text in raw:
        event = parse_stream_message(json.loads(text))
        if isinstance(event, Kline):
            produced += len(agg.feed(event))
    return count, time.perf_counter() - start


async def bench_full_path(count: int, open_per_close: int) -> dict[str, Any]:
    """Injecte ``count`` messages ; chronomètre jusqu'à « tout enregistré et publié »."""
    await _reset_tables()
    closes = count // (open_per_close + 1)
    raw: list[str] = []
    for i in range(closes):
        t = T0 + i * MINUTE
        raw += [message(t, closed=False) for _ in range(open_per_close)]
        raw.append(message(t))
    service = make_service(lambda: T0)  # horloge figée : chaque bougie est « récente », donc signalée
    task = asyncio.create_task(service.serve(install_signal_handlers=False))
    await service.ready.wait()
    start = time.perf_counter()
    for i, text in enumerate(raw):
        service.handle_raw(text)
        if i % 200 == 199:
            await asyncio.sleep(0)
    ok = await service.wait_idle(600)
    elapsed = time.perf_counter() - start
    service.stop()
    await task
    return {"messages": len(raw), "seconds": elapsed, "ok": ok, "candles": service.stats["candles_written"],
            "signals": service.stats["signals"], "raw_sent": service.publisher.raw_sent,
            "raw_dropped": service.publisher.raw_dropped}


async def bench_latency(count: int, rate: float) -> list[float]:
    """Kline close injectée → signal 1m reçu par un abonné Redis (ms)."""
    await _reset_tables()
    layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
    channel = await layer.new_channel()
    await layer.group_add(heartbeat_messages.HEARTBEAT, channel)
    sent: dict[int, float] = {}
    latencies: list[float] = []

    async def listen() -> None:
        while True:
            msg = await layer.receive(channel)
            if msg.get("timeframe") == "1m" and msg["open_time"] in sent:
                latencies.append((time.perf_counter() - sent[msg["open_time"]]) * 1000)

    service = make_service(lambda: T0)  # horloge figée : chaque bougie est signalée
    task = asyncio.create_task(service.serve(install_signal_handlers=False))
    listener = asyncio.create_task(listen())
    await service.ready.wait()
    for i in range(count):
        t = T0 + i * MINUTE
        sent[t] = time.perf_counter()
        service.handle_raw(message(t))
        await asyncio.sleep(1 / rate)
    await service.wait_idle(30)
    await asyncio.sleep(0.3)
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)
    service.stop()
    await task
    await layer.group_discard(heartbeat_messages.HEARTBEAT, channel)
    await layer.close_pools()
    return latencies


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def main(args: argparse.Namespace) -> None:
    rows: list[tuple[str, int, float, str]] = []
    n, secs = bench_aggregation(args.aggregation)
    rows.append(("agrégation seule (JSON + lecture + feed)", n, secs, ""))
    full = await bench_full_path(args.closed, 0)
    rows.append(("chemin complet, klines closes seulement", full["messages"], full["seconds"],
                 f"{full['candles']} bougies, {full['signals']} signaux, brut publié "
                 f"{full['raw_sent']} / écarté {full['raw_dropped']}"))
    mixed = await bench_full_path(args.closed * 30 // 4, 29)
    rows.append(("chemin complet, flux réaliste (29 ouverts : 1 clos)", mixed["messages"],
                 mixed["seconds"], f"{mixed['candles']} bougies, brut publié {mixed['raw_sent']} "
                 f"/ écarté {mixed['raw_dropped']}"))
    latencies = await bench_latency(args.latency, args.rate)

    print()
    print(f"{'Chemin':<52} {'messages':>9} {'durée s':>8} {'messages/s':>11}  remarques")
    print("-" * 120)
    for label, count, seconds, note in rows:
        rate = f"{count / seconds:,.0f}".replace(",", " ")
        print(f"{label:<52} {count:>9} {seconds:>8.2f} {rate:>11}  {note}")
    print()
    if latencies:
        print(f"Latence kline close → heartbeat.signal reçu sur Redis ({len(latencies)} signaux 1m, "
              f"{args.rate:g} klines/s) : p50 = {statistics.median(latencies):.2f} ms, "
              f"p99 = {_pct(latencies, 0.99):.2f} ms, max = {max(latencies):.2f} ms")
    else:
        print("Latence : aucun signal reçu (Redis joignable ?)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--aggregation", type=int, default=100_000, help="messages, agrégation seule")
    parser.add_argument("--closed", type=int, default=5_000, help="klines closes, chemin complet")
    parser.add_argument("--latency", type=int, default=400, help="klines pour la mesure de latence")
    parser.add_argument("--rate", type=float, default=50.0, help="cadence (klines/s) de la latence")
    arguments = parser.parse_args()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        asyncio.run(main(arguments))
    finally:
        teardown_databases(old_config, verbosity=0)
