"""Banc d'essai du portefeuille : `GET /api/brokers/{id}/balance/` et chargement de la page Trading manuel.

Usage : `cd backend && ../.venv/bin/python ../bench/portfolio.py [--calls 30] [--pages 10] [--cold 5]`

Vrai PostgreSQL (base temporaire créée puis supprimée), vrai Redis, simulateur Binance dans un
thread du banc, vrai Daphne en sous-processus pointé sur le simulateur. Le compte de démonstration
détient 13 actifs (12 à valoriser), 3 ordres limites ouverts ; les paires sont chargées en base.
Mesuré comme le navigateur les voit (httpx, session connectée) :

1. solde à froid : premier appel sur chacun de `--cold` brokers neufs (instance CCXT créée,
   marchés chargés) ;
2. solde à chaud : `--calls` appels successifs sur le même broker (p50, p95), et les requêtes que
   le simulateur a reçues pour un appel (`GET /sim/requests`) ;
3. page Trading manuel : les appels d'API de `TradingManuelView` à l'ouverture, enchaînés comme
   le store (`brokers/exchanges/` en parallèle de `brokers/`, puis portefeuille, paires, ordres
   ouverts et trades en parallèle) ; la première ouverture du processus, puis `--pages` autres.

Références mesurées dans la même exécution : le simulateur seul (`GET /api/v3/account` signé,
sans Django ni CCXT) et une requête Django nue sous le même Daphne (`GET /api/auth/me/`).
Le limiteur de débit de Binance (6 000 de poids par minute et par instance CCXT, voir
`apps/core/services/rate_limit.py`) retient les requêtes au-delà : un solde pèse 24 (`account` 20,
`ticker/price` 4), une page ~110 (`openOrders` sans symbole : 80) ; garder `--calls` et `--pages`
sous ce budget, sinon le banc mesure (à raison) l'attente imposée par le limiteur.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

BACKEND = Path(__file__).resolve().parent.parent / "backend"
sys.path.insert(0, str(BACKEND))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aristobot.settings")
os.environ.setdefault("ARISTOBOT_ALLOW_DEV_SECRET", "True")
os.environ["TEST_DATABASE_NAME"] = f"aristobot_bench_portfolio_{os.getpid()}"
os.environ["CHANNEL_LAYER_PREFIX"] = f"aristobot-bench-{uuid.uuid4().hex[:8]}"

import logging  # noqa: E402

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from asgiref.sync import sync_to_async  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from exchange_simulator import DEMO_API_KEY, DEMO_API_SECRET, ExchangeSimulator  # noqa: E402

from apps.accounts.services import user_create  # noqa: E402
from apps.brokers.services import broker_create  # noqa: E402
from apps.core.services.ccxt_manager import close_all  # noqa: E402
from apps.market_data.services import markets_load  # noqa: E402

PASSWORD = "bench-motdepasse-42"
BALANCES = {"USDT": "10000", "BTC": "0.5", "ETH": "5", "BNB": "10", "SOL": "40", "XRP": "5000",
            "ADA": "8000", "DOGE": "20000", "LTC": "12", "DOT": "150", "LINK": "90", "AVAX": "30",
            "TRX": "30000"}
OPEN_ORDERS = (("BTC/USDT", "0.001", "30000"), ("ETH/USDT", "0.01", "1500"), ("SOL/USDT", "0.1", "75"))


class SimThread:
    """Le simulateur servi par sa propre boucle, dans un thread du banc."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sim", daemon=True)
        self.thread.start()
        self.sim = ExchangeSimulator(seed=7, host="127.0.0.1", port=0)
        self.run(self.sim.start())

    def run(self, coro: Awaitable[Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def call(self, fn: Callable[[], Any]) -> Any:
        async def _call() -> Any:
            return fn()

        return self.run(_call())

    def stop(self) -> None:
        self.run(self.sim.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pct(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


async def _timed(coro: Awaitable[httpx.Response]) -> float:
    start = time.perf_counter()
    resp = await coro
    if resp.status_code >= 400:
        raise RuntimeError(f"{resp.request.url} → {resp.status_code} : {resp.text[:300]}")
    return (time.perf_counter() - start) * 1000


# ----------------------------------------------------------------------------- préparation


def _prepare(simt: SimThread, cold: int) -> tuple[Any, int, list[int]]:
    """Utilisateur, broker par défaut et `cold` brokers neufs ; soldes du compte ; paires en base."""
    simt.call(lambda: simt.sim.set_account(DEMO_API_KEY, DEMO_API_SECRET, BALANCES))
    settings.ARISTOBOT_BINANCE_REST_URL = simt.sim.base_url

    async def _pairs() -> None:
        try:
            await markets_load(exchange_id="binance")
        finally:
            await close_all()
            await sync_to_async(connections.close_all)()  # connexion du fil ORM d'asgiref

    asyncio.run(_pairs())
    user = user_create(username="bench", password=PASSWORD)
    keys = {"exchange": "binance", "api_key": DEMO_API_KEY, "api_secret": DEMO_API_SECRET}
    default = broker_create(user=user, name="Simulateur", is_default=True, **keys)
    others = [broker_create(user=user, name=f"Froid {i}", **keys).pk for i in range(cold)]
    return user, default.pk, others


def _daphne(sim_url: str) -> tuple[subprocess.Popen[bytes], str]:
    db = settings.DATABASES["default"]
    port = _free_port()
    env = dict(os.environ)
    env["DATABASE_URL"] = (f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@"
                           f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")
    env["SECRET_KEY"] = settings.SECRET_KEY
    env["ARISTOBOT_BINANCE_REST_URL"] = sim_url
    connections.close_all()
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "aristobot.asgi:application"],
        cwd=BACKEND, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            if httpx.get(base + "/api/auth/me/", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            raise SystemExit("Daphne n'a pas démarré : " + (proc.stderr.read() or b"").decode()[-500:])
        time.sleep(0.2)


async def _login(client: httpx.AsyncClient) -> None:
    await client.get("/api/auth/me/")
    resp = await client.post("/api/auth/login/", json={"username": "bench", "password": PASSWORD},
                             headers={"X-CSRFToken": client.cookies["csrftoken"]})
    resp.raise_for_status()
    client.headers["X-CSRFToken"] = client.cookies["csrftoken"]


# ----------------------------------------------------------------------------- mesures


async def _page(client: httpx.AsyncClient, broker_id: int, per_call: dict[str, list[float]]) -> float:
    """Les appels de `TradingManuelView` à l'ouverture, enchaînés comme le store `trading`."""

    async def one(label: str, url: str, query: dict[str, Any] | None = None) -> None:
        per_call.setdefault(label, []).append(await _timed(client.get(url, params=query)))

    start = time.perf_counter()
    exchanges = asyncio.ensure_future(one("brokers/exchanges/", "/api/brokers/exchanges/"))
    await one("brokers/", "/api/brokers/")
    await asyncio.gather(
        one("trading-manual/portfolio/", "/api/trading-manual/portfolio/", {"broker": broker_id}),
        one("market-symbols/", "/api/market-symbols/",
            {"exchange": "binance", "page": 1, "page_size": 25, "active": "true"}),
        one("brokers/{id}/open-orders/", f"/api/brokers/{broker_id}/open-orders/"),
        one("trades/", "/api/trades/", {"source": "manual", "broker": broker_id, "page_size": 20}),
    )
    await exchanges
    return (time.perf_counter() - start) * 1000


async def _sim_raw(sim_url: str, calls: int) -> list[float]:
    """`GET /api/v3/account` signé, directement au simulateur (ni Django ni CCXT)."""
    async with httpx.AsyncClient(base_url=sim_url) as raw:
        times = []
        for _ in range(calls):
            query = f"timestamp={int(time.time() * 1000)}&recvWindow=5000"
            sig = hmac.new(DEMO_API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
            times.append(await _timed(raw.get(f"/api/v3/account?{query}&signature={sig}",
                                              headers={"X-MBX-APIKEY": DEMO_API_KEY})))
        return times


async def _measure(base: str, sim_url: str, default_id: int, cold_ids: list[int],
                   args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"per_call": {}}
    async with (httpx.AsyncClient(base_url=base, timeout=60) as client,
                httpx.AsyncClient(base_url=sim_url) as admin):
        await _login(client)
        out["page_cold"] = await _page(client, default_id, {})
        for symbol, amount, price in OPEN_ORDERS:
            await _timed(client.post("/api/trading-manual/orders/", json={
                "broker": default_id, "symbol": symbol, "side": "buy", "order_type": "limit",
                "quantity": amount, "price": price}))
        out["sim_raw"] = await _sim_raw(sim_url, args.calls)
        out["django"] = [await _timed(client.get("/api/auth/me/")) for _ in range(args.calls)]
        out["cold"] = [await _timed(client.get(f"/api/brokers/{pk}/balance/")) for pk in cold_ids]
        await _timed(client.get(f"/api/brokers/{default_id}/balance/"))
        await _timed(admin.post("/sim/requests/reset"))
        out["warm"] = [await _timed(client.get(f"/api/brokers/{default_id}/balance/"))
                       for _ in range(args.calls)]
        out["sim_requests"] = (await admin.post("/sim/requests/reset")).json()
        out["pages"] = [await _page(client, default_id, out["per_call"]) for _ in range(args.pages)]
        balance = (await client.get(f"/api/brokers/{default_id}/balance/")).json()
        out["valued"] = sum(1 for row in balance["balances"] if row["usd_value"] is not None)
        out["assets"] = len(balance["balances"])
    return out


# ----------------------------------------------------------------------------- rapport


def _row(label: str, values: list[float]) -> str:
    return (f"{label:<46}{len(values):>4}{statistics.median(values):>10.1f}"
            f"{_pct(values, 95):>10.1f}{max(values):>10.1f}")


def _report(out: dict[str, Any], args: argparse.Namespace) -> None:
    calls = args.calls
    print(f"\nPortefeuille : Daphne réel, simulateur local, {out['assets']} actifs "
          f"({out['valued']} valorisés en USD)")
    print(f"{'mesure':<46}{'n':>4}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    print(_row("simulateur seul : GET /api/v3/account signé", out["sim_raw"]))
    print(_row("Django nu : GET /api/auth/me/", out["django"]))
    print(_row("solde à froid (broker neuf)", out["cold"]))
    print(_row("solde à chaud : GET /api/brokers/{id}/balance/", out["warm"]))
    print(_row("page Trading manuel (1re du processus)", [out["page_cold"]]))
    print(_row("page Trading manuel (suivantes)", out["pages"]))
    for label, values in sorted(out["per_call"].items()):
        print(_row(f"  dont {label}", values))
    reqs = out["sim_requests"]
    detail = ", ".join(f"{k} ×{v / calls:g}" for k, v in reqs["by_endpoint"].items())
    print(f"requêtes au simulateur par solde à chaud : {reqs['total'] / calls:g} ({detail})")
    warm, page = statistics.median(out["warm"]), statistics.median(out["pages"])
    print(f"solde à chaud p50 / simulateur seul p50 : ×{warm / statistics.median(out['sim_raw']):.0f} ; "
          f"froid / chaud : ×{statistics.median(out['cold']) / warm:.1f}")
    print(f"page p50 / Django nu p50 : ×{page / statistics.median(out['django']):.1f}")
    print(f"objectifs : solde < 300 ms (p95 {_pct(out['warm'], 95):.0f} ms), "
          f"page < 1000 ms (p95 {_pct(out['pages'], 95):.0f} ms)")


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--cold", type=int, default=5)
    args = parser.parse_args()

    old_config = setup_databases(verbosity=0, interactive=False)
    simt = SimThread()
    daphne = None
    try:
        _user, default_id, cold_ids = _prepare(simt, args.cold)
        daphne, base = _daphne(simt.sim.base_url)
        out = asyncio.run(_measure(base, simt.sim.base_url, default_id, cold_ids, args))
    finally:
        if daphne is not None:
            daphne.terminate()
            try:
                daphne.wait(timeout=10)
            except subprocess.TimeoutExpired:
                daphne.kill()
        simt.stop()
        connections.close_all()
        teardown_databases(old_config, verbosity=0)
    _report(out, args)


if __name__ == "__main__":
    main()
