"""Banc d'essai du moteur de trading : 20 stratégies sur un signal, avec 100 ms de latence d'exchange.

Usage : `cd backend && ../.venv/bin/python ../bench/engine.py [--strategies 20] [--latency 100]`

Même processus, vrais PostgreSQL (base temporaire créée puis supprimée) et Redis, simulateur
Binance en processus auquel `/sim/latency` ajoute la latence à CHAQUE requête REST :

1. concurrent : un `heartbeat.signal` publié sur Redis → le moteur (`TradingEngine`) lance les N
   stratégies (achat si à plat, SL 2 % / TP 4 %) ; on mesure le temps jusqu'à l'accusé de
   réception du N-ième ordre d'achat (ligne `trades` mise à jour avec la réponse de l'exchange) ;
2. séquentiel : N autres stratégies exécutées une par une (`StrategyRunner.run_active`, sans
   partage des bougies ni du solde), chacune chronométrée jusqu'à l'accusé de son ordre ;
   la somme est ce que coûterait un moteur sans parallélisme ;
3. coût du bac à sable : une évaluation (exemple EMA 10/20, 300 bougies) dans un enfant neuf du
   processus modèle (fork + confinement + réponse + sortie), comparée à la même évaluation dans
   le processus (sans isolation), mesurée dans le même run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

BACKEND = Path(__file__).resolve().parent.parent / "backend"
sys.path.insert(0, str(BACKEND))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aristobot.settings")
os.environ["TEST_DATABASE_NAME"] = f"aristobot_bench_engine_{os.getpid()}"
os.environ["CHANNEL_LAYER_PREFIX"] = f"aristobot-bench-{uuid.uuid4().hex[:8]}"

import django  # noqa: E402

django.setup()

from asgiref.sync import sync_to_async  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402
from exchange_simulator import DEMO_API_KEY, DEMO_API_SECRET  # noqa: E402
from exchange_simulator.testing import running_simulator  # noqa: E402

from apps.accounts.services import user_create  # noqa: E402
from apps.brokers.services import broker_create  # noqa: E402
from apps.core.services.exchange_ops import balances_all, candles_fetch  # noqa: E402
from apps.heartbeat import messages as heartbeat_messages  # noqa: E402
from apps.strategies.runtime.base import DECISION_METHODS  # noqa: E402
from apps.strategies.runtime.candles import candles_to_arrays  # noqa: E402
from apps.strategies.runtime.decide import Runner  # noqa: E402
from apps.strategies.runtime.sandbox.confine import Limits  # noqa: E402
from apps.strategies.services import strategy_create  # noqa: E402
from apps.strategies.templates import EMA_CROSS_EXAMPLE  # noqa: E402
from apps.trading.models import Trade  # noqa: E402
from apps.trading_engine.engine.config import EngineConfig  # noqa: E402
from apps.trading_engine.engine.runner import SignalCache  # noqa: E402
from apps.trading_engine.engine.service import TradingEngine  # noqa: E402
from apps.trading_engine.models import ActiveStrategy  # noqa: E402

CODE = '''
class AchatSiAPlat(Strategy):
    def should_long(self):
        return self.position is None
    def calculate_position_size(self):
        return 20.0
    def calculate_stop_loss(self):
        return 0.02
    def calculate_take_profit(self):
        return 0.04
'''


def _setup(count: int) -> tuple[Any, list[ActiveStrategy], list[ActiveStrategy]]:
    user = user_create(username="bench", password="motdepasse-solide-42")
    broker = broker_create(user=user, name="Simulateur", exchange="binance", api_key=DEMO_API_KEY,
                           api_secret=DEMO_API_SECRET)
    now = timezone.now()
    batches: list[list[ActiveStrategy]] = [[], []]
    for index in range(2 * count):
        strategy = strategy_create(user=user, name=f"Banc {index}", code=CODE, timeframe="1m")
        # Le lot séquentiel est inactif : seul le lot concurrent répond au signal.
        batches[index // count].append(ActiveStrategy.objects.create(
            user=user, strategy=strategy, broker=broker, symbol="BTC/USDT",
            start_date=now - timedelta(hours=1), end_date=now + timedelta(days=1),
            is_active=index < count,
        ))
    return broker, batches[0], [
        ActiveStrategy.objects.select_related("strategy", "broker").get(pk=a.pk) for a in batches[1]
    ]


def _admin(base_url: str, path: str, payload: dict[str, Any]) -> Any:
    request = urllib.request.Request(f"{base_url}/sim/{path}", data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


async def _acks(actives: list[ActiveStrategy]) -> list[Any]:
    """Heure d'accusé (mise à jour de la ligne après la réponse) de chaque ordre d'achat exécuté."""
    rows = Trade.objects.filter(active_strategy_id__in=[a.pk for a in actives], role="entry", status="filled")
    return [t.updated_at async for t in rows]


def _signal() -> dict[str, Any]:
    now = int(time.time() * 1000)
    open_time = now - now % 60_000 - 60_000
    return {"type": heartbeat_messages.MSG_HEARTBEAT_SIGNAL, "timeframe": "1m", "symbol": "BTCUSDT",
            "open_time": open_time, "close_time": open_time + 59_999,
            "sent_at": timezone.now().isoformat()}


def _sandbox_cost(pool: Any, rows: list[list[Any]], runs: int = 40) -> dict[str, float]:
    """Médianes (ms) : évaluation en bac à sable (aller-retour, fork, enfant) et dans le processus."""
    request = {"code": EMA_CROSS_EXAMPLE, "candles": candles_to_arrays(rows), "balance": 1000.0,
               "position": None, "calls": DECISION_METHODS}
    limits = Limits(wall_s=5, cpu_s=6, memory_mb=1024)
    total, fork, child, inline = [], [], [], []
    for _ in range(runs):
        spawned: list[Any] = []
        t0 = time.perf_counter()
        reply = pool.sandbox.run("decision", request, limits, on_spawn=spawned.append)
        total.append((time.perf_counter() - t0) * 1000)
        assert reply.get("ok"), reply
        spawned[0].wait_exit(2)
        fork.append(spawned[0].fork_ms or 0.0)
        child.append(float(reply.get("child_ms") or 0.0))
        t0 = time.perf_counter()
        assert Runner(0, 0, 0).run(dict(request))["ok"]
        inline.append((time.perf_counter() - t0) * 1000)
    return {name: statistics.median(values) for name, values in
            (("total", total), ("fork", fork), ("child", child), ("inline", inline))}


async def main(args: argparse.Namespace) -> None:
    async with running_simulator(seed=11) as sim:
        settings.ARISTOBOT_BINANCE_REST_URL = sim.base_url
        sim.set_price("BTCUSDT", "60000", freeze=True)
        broker, concurrent, sequential = await sync_to_async(_setup)(args.strategies)
        config = EngineConfig(pool_size=args.pool, monitor_interval_s=3600, webhook_poll_s=3600,
                              alive_interval_s=3600, balance_snapshot_interval_s=0)
        engine = TradingEngine(config)
        serving = asyncio.create_task(engine.serve(install_signal_handlers=False))
        try:
            await asyncio.wait_for(engine.ready.wait(), 60)
            await balances_all(broker)  # marchés chargés (instance du broker et instance publique)
            await candles_fetch(broker, "BTC/USDT", "1m", 10)
            # Appel HTTP réel à l'administration du simulateur (dans un thread : il tourne dans cette boucle).
            applied = await asyncio.to_thread(_admin, sim.base_url, "latency", {"ms": args.latency})
            print(f"Latence simulée : {applied['latency_ms']:g} ms par requête REST ; "
                  f"{args.strategies} stratégies ; {args.pool} évaluations simultanées au plus.")

            started_at, t0 = timezone.now(), time.perf_counter()
            await get_channel_layer().group_send(heartbeat_messages.HEARTBEAT, _signal())
            while len(acks := await _acks(concurrent)) < args.strategies:
                if time.perf_counter() - t0 > 120:
                    raise SystemExit(f"Délai dépassé : {len(acks)} ordre(s) sur {args.strategies}")
                await asyncio.sleep(0.01)
            offsets = sorted((ack - started_at).total_seconds() for ack in acks)

            per_strategy = []
            for active in sequential:
                begin = timezone.now()
                outcome = await engine.runner.run_active(active, "1m", SignalCache(config.candles_count))
                assert outcome.action == "buy", outcome
                ack = (await _acks([active]))[0]
                per_strategy.append((ack - begin).total_seconds())
            rows = await candles_fetch(broker, "BTC/USDT", "1m", 300)
            cost = await asyncio.to_thread(_sandbox_cost, engine.runner.pool, rows)
            containment = engine.runner.pool.containment.get("level", "inconnu")
        finally:
            engine.stop()
            await serving
    total = sum(per_strategy)
    wall = offsets[-1]
    print()
    print(f"Concurrent — signal → accusé du {args.strategies}e ordre : {wall:.2f} s "
          f"(1er : {offsets[0]:.2f} s, médiane : {statistics.median(offsets):.2f} s)")
    print(f"Séquentiel — une stratégie (signal → accusé) : médiane {statistics.median(per_strategy):.2f} s, "
          f"min {min(per_strategy):.2f} s, max {max(per_strategy):.2f} s")
    print(f"Séquentiel — somme des {args.strategies} : {total:.2f} s")
    print(f"Gain du parallélisme : ×{total / wall:.1f} ({total:.2f} s → {wall:.2f} s)")
    print()
    print(f"Bac à sable (confinement {containment}) — évaluation EMA 10/20 sur 300 bougies, médianes :")
    print(f"  dans un enfant neuf : {cost['total']:.1f} ms aller-retour (fork {cost['fork']:.2f} ms, "
          f"enfant {cost['child']:.1f} ms de la requête à la réponse)")
    print(f"  dans le processus, sans isolation : {cost['inline']:.1f} ms")
    print(f"  surcoût de l'isolation : +{cost['total'] - cost['inline']:.1f} ms par évaluation "
          f"(×{cost['total'] / cost['inline']:.1f})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--strategies", type=int, default=20)
    parser.add_argument("--latency", type=float, default=100.0, help="ms ajoutées à chaque requête REST")
    parser.add_argument("--pool", type=int, default=4, help="évaluations de stratégies simultanées")
    arguments = parser.parse_args()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        asyncio.run(main(arguments))
    finally:
        connections.close_all()
        teardown_databases(old_config, verbosity=0)
