"""Relevés de solde réels contre le simulateur (vrai CCXT) : service, commande, moteur, bouton.

Un broker illisible (clés refusées, simulateur arrêté) donne un relevé sans total avec l'erreur en
français : la courbe montre un trou, jamais un zéro.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.core.management import CommandError, call_command
from exchange_simulator.testing import running_simulator

from apps.core.tests.exchange_fixtures import (  # noqa: F401
    CCXT_TEST_TIMEOUT_MS,
    exchange_cleanup,
    make_broker,
    sim,
    threaded_sim,
)
from apps.stats.models import BalanceSnapshot
from apps.stats.selectors import StatsFilters, stats_balance_history
from apps.stats.services import balance_snapshots_take
from apps.trading_engine.tests.engine_support import running_engine, strategy_pool, wait_for  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal
# 1000 USDT + 0,1 BTC à 50 000 = 6 000 USD
ALICE_BALANCES = {"USDT": "1000", "BTC": "0.1"}


def _fund(simulator, key: str = "alice-key", secret: str = "alice-secret") -> None:  # noqa: ANN001
    simulator.set_account(key, secret, dict(ALICE_BALANCES))
    simulator.set_price("BTCUSDT", "50000", freeze=True)


def _history(user, **filters):  # noqa: ANN001, ANN202
    return sync_to_async(stats_balance_history)(user=user, filters=StatsFilters(**filters))


async def test_a_snapshot_appears_in_the_balance_history(sim, make_broker, make_user) -> None:  # noqa: F811
    _fund(sim)
    user = await sync_to_async(make_user)("alice")
    broker = await sync_to_async(make_broker)(user=user, api_key="alice-key", api_secret="alice-secret")
    snapshots = await balance_snapshots_take()
    assert [(s.broker_id, s.total_usd, s.error) for s in snapshots] == [(broker.pk, D("6000"), "")]
    stored = await BalanceSnapshot.objects.aget()
    assets = {row["asset"]: row for row in stored.assets}
    assert assets["BTC"] == {"asset": "BTC", "free": "0.1", "used": "0", "total": "0.1",
                             "usd_price": "50000", "usd_value": "5000"}
    history = await _history(user)
    assert [p["total_usd"] for p in history["points"]] == ["6000"]
    assert [a["asset"] for a in history["points"][0]["assets"]] == ["BTC", "USDT"]


async def test_bad_keys_leave_a_gap_not_a_zero(sim, make_broker, make_user) -> None:  # noqa: F811
    _fund(sim)
    user = await sync_to_async(make_user)("alice")
    good = await sync_to_async(make_broker)(user=user, api_key="alice-key", api_secret="alice-secret")
    bad = await sync_to_async(make_broker)(user=user, api_key="alice-key", api_secret="mauvais-secret")
    snapshots = {s.broker_id: s for s in await balance_snapshots_take(user_id=user.pk)}
    assert snapshots[good.pk].total_usd == D("6000")
    assert snapshots[bad.pk].total_usd is None
    assert "Binance" in snapshots[bad.pk].error
    point = (await _history(user))["points"][0]
    assert point["total_usd"] is None  # ni 6000 (un broker manque), ni 0
    assert {b["broker_id"]: b["total_usd"] for b in point["brokers"]} == {good.pk: "6000", bad.pk: None}
    assert [p["total_usd"] for p in (await _history(user, broker_id=good.pk))["points"]] == ["6000"]


async def test_a_stopped_simulator_leaves_a_gap(settings, make_broker, make_user) -> None:  # noqa: F811
    user = await sync_to_async(make_user)("alice")
    async with running_simulator(seed=5) as simulator:
        settings.ARISTOBOT_BINANCE_REST_URL = simulator.base_url
        settings.ARISTOBOT_CCXT_TIMEOUT_MS = CCXT_TEST_TIMEOUT_MS
        _fund(simulator)
        broker = await sync_to_async(make_broker)(user=user, api_key="alice-key", api_secret="alice-secret")
        first = await balance_snapshots_take()
    second = await balance_snapshots_take()  # le simulateur est arrêté : connexion refusée
    assert first[0].total_usd == D("6000")
    assert second[0].broker_id == broker.pk and second[0].total_usd is None
    assert second[0].error.startswith("Binance injoignable")
    assert await BalanceSnapshot.objects.filter(total_usd=0).acount() == 0


async def test_the_engine_records_balances_periodically_and_stops_cleanly(
    sim, make_broker, make_user, strategy_pool  # noqa: F811
) -> None:
    _fund(sim)
    user = await sync_to_async(make_user)("alice")
    broker = await sync_to_async(make_broker)(user=user, api_key="alice-key", api_secret="alice-secret")
    async with running_engine(strategy_pool, balance_snapshot_interval_s=0.4) as engine:
        await wait_for(lambda: engine.balances.passes >= 2, 20, "deux relevés du moteur")
    rows = [s async for s in BalanceSnapshot.objects.filter(broker=broker).order_by("taken_at")]
    assert len(rows) >= 2 and all(r.total_usd == D("6000") for r in rows)
    assert rows[1].taken_at > rows[0].taken_at
    # Au redémarrage, l'échéance suit le dernier relevé en base : pas de relevé immédiat.
    async with running_engine(strategy_pool, balance_snapshot_interval_s=3600) as engine:
        assert await engine.balances.tick() is False
    assert await BalanceSnapshot.objects.filter(broker=broker).acount() == len(rows)


def test_the_command_records_every_broker(threaded_sim, make_broker, make_user) -> None:  # noqa: F811
    threaded_sim.call(_fund, threaded_sim.sim)
    alice, bob = make_user("alice"), make_user("bob")
    make_broker(user=alice, name="Compte A", api_key="alice-key", api_secret="alice-secret")
    make_broker(user=bob, name="Compte B", api_key="alice-key", api_secret="faux")
    out = io.StringIO()
    call_command("snapshot_balances", stdout=out)
    text = out.getvalue()
    assert "Compte A (alice) : 6 000,00 USD" in text.replace("\u202f", " ")
    assert "Compte B (bob) : illisible — " in text
    assert "2 solde(s) relevé(s), 1 illisible(s)." in text
    call_command("snapshot_balances", "--user", "alice", stdout=io.StringIO())
    assert BalanceSnapshot.objects.filter(user=alice).count() == 2
    assert BalanceSnapshot.objects.filter(user=bob).count() == 1
    with pytest.raises(CommandError, match="Utilisateur inconnu : « personne »"):
        call_command("snapshot_balances", "--user", "personne")


def test_snapshot_now_records_only_the_users_brokers(threaded_sim, make_broker, make_user,  # noqa: F811
                                                     logged_client) -> None:
    threaded_sim.call(_fund, threaded_sim.sim)
    alice, bob = make_user("alice"), make_user("bob")
    broker = make_broker(user=alice, name="Compte A", api_key="alice-key", api_secret="alice-secret")
    make_broker(user=bob, name="Compte B")
    client = logged_client(alice)
    resp = client.post("/api/stats/balance-snapshots/")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["results"] == [{"broker_id": broker.pk, "broker_name": "Compte A", "total_usd": "6000",
                                "error": None}]
    assert BalanceSnapshot.objects.filter(user=bob).count() == 0
    history = client.get("/api/stats/balance-history/").json()
    assert [p["total_usd"] for p in history["points"]] == ["6000"]
    assert history["points"][0]["taken_at"] == data["taken_at"]


def test_snapshot_now_is_a_post_and_is_rate_limited(logged_client, make_user) -> None:
    client = logged_client(make_user("alice"))  # aucun broker : rien à relever
    assert client.get("/api/stats/balance-snapshots/").status_code == 405
    resp = client.post("/api/stats/balance-snapshots/", "pas du json", content_type="application/json")
    assert resp.status_code == 400 and "JSON" in resp.json()["detail"]
    for _ in range(6):  # la requête refusée (JSON illisible) n'a pas compté
        resp = client.post("/api/stats/balance-snapshots/")
        assert resp.status_code == 201 and resp.json() == {"taken_at": None, "results": []}
    resp = client.post("/api/stats/balance-snapshots/")
    assert resp.status_code == 429
    assert resp.json()["detail"].startswith("Trop de relevés demandés : réessayez dans ")


def test_snapshot_now_needs_a_session(api_client) -> None:  # noqa: ANN001
    resp = api_client.post("/api/stats/balance-snapshots/")
    assert resp.status_code in (401, 403)
