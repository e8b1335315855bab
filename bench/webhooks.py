"""Banc d'essai du point d'entrée webhook : latence d'accusé de réception sous 50 alertes simultanées.

Usage : `cd backend && ../.venv/bin/python ../bench/webhooks.py [--concurrency 50] [--rounds 10]`

Vrai PostgreSQL (base temporaire créée puis supprimée), vrai Redis, vrai Daphne lancé en
sous-processus sur un port libre. Chaque tour envoie `--concurrency` alertes TradingView
différentes en même temps (httpx asynchrone) et mesure, pour chacune, le temps jusqu'à la
réponse 202 (l'alerte est alors enregistrée en base). Référence mesurée dans la même exécution :
`GET /api/auth/me/` anonyme avec la même concurrence (le coût minimal d'une requête Django sous
Daphne). TradingView abandonne après 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent / "backend"
sys.path.insert(0, str(BACKEND))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aristobot.settings")
os.environ.setdefault("ARISTOBOT_ALLOW_DEV_SECRET", "True")
os.environ["TEST_DATABASE_NAME"] = f"aristobot_bench_webhooks_{os.getpid()}"
os.environ["CHANNEL_LAYER_PREFIX"] = f"aristobot-bench-{uuid.uuid4().hex[:8]}"

import logging  # noqa: E402

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from apps.accounts.services import user_create  # noqa: E402
from apps.webhooks.models import Webhook  # noqa: E402
from apps.webhooks.services import webhook_config_get_or_create  # noqa: E402


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


async def _burst(client: httpx.AsyncClient, requests: list[tuple[str, str, dict | None]]) -> list[float]:
    async def one(method: str, url: str, body: dict | None) -> float:
        start = time.perf_counter()
        resp = await client.request(method, url, json=body)
        elapsed = (time.perf_counter() - start) * 1000
        if resp.status_code not in (200, 202):
            raise RuntimeError(f"Réponse inattendue {resp.status_code} : {resp.text[:200]}")
        return elapsed

    return await asyncio.gather(*(one(*req) for req in requests))


async def _measure(base: str, token: str, secret: str, concurrency: int, rounds: int) -> dict:
    results: dict[str, list[float]] = {"webhook": [], "baseline": []}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        await _burst(client, [("GET", "/api/auth/me/", None)] * 5)  # échauffement
        for rnd in range(rounds):
            alerts = [
                ("POST", f"/api/webhooks/receive/{token}/",
                 {"secret": secret, "symbol": "BTCUSDT", "action": "buy", "amount": 10,
                  "source": "bench", "id": f"bench-{rnd}-{i}"})
                for i in range(concurrency)
            ]
            results["webhook"] += await _burst(client, alerts)
            results["baseline"] += await _burst(client, [("GET", "/api/auth/me/", None)] * concurrency)
    return results


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    old_config = setup_databases(verbosity=0, interactive=False)
    daphne = None
    try:
        user = user_create(username="bench", password="bench-motdepasse-42")
        config = webhook_config_get_or_create(user=user)
        db = settings.DATABASES["default"]
        port = _free_port()
        env = dict(os.environ)
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
        env["SECRET_KEY"] = settings.SECRET_KEY
        connections.close_all()
        daphne = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
             "aristobot.asgi:application"],
            cwd=BACKEND, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 30
        while True:
            try:
                if httpx.get(base + "/api/auth/me/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or daphne.poll() is not None:
                raise SystemExit("Daphne n'a pas démarré : " + (daphne.stderr.read() or b"").decode()[-500:])
            time.sleep(0.2)
        results = asyncio.run(_measure(base, config.token, config.secret, args.concurrency, args.rounds))
        stored = Webhook.objects.filter(user=user, status="pending").count()
    finally:
        if daphne is not None:
            daphne.terminate()
            try:
                daphne.wait(timeout=10)
            except subprocess.TimeoutExpired:
                daphne.kill()
        connections.close_all()
        teardown_databases(old_config, verbosity=0)

    print(f"\nWebhooks : {args.rounds} salves de {args.concurrency} alertes simultanées (Daphne réel)")
    print(f"{'requête':<34}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    rows = (("POST /api/webhooks/receive/…", "webhook"), ("GET /api/auth/me/ (référence)", "baseline"))
    for label, key in rows:
        values = results[key]
        print(f"{label:<34}{len(values):>6}{statistics.median(values):>10.1f}"
              f"{_percentile(values, 99):>10.1f}{max(values):>10.1f}")
    ratio = statistics.median(results["webhook"]) / statistics.median(results["baseline"])
    print(f"alertes enregistrées « pending » : {stored} / {args.rounds * args.concurrency}")
    print(f"rapport p50 webhook / référence : ×{ratio:.1f} ; limite TradingView : 3000 ms")


if __name__ == "__main__":
    main()
