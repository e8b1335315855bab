"""`GET /api/stats/balance-history/` sur des relevés faits main : points, trous, totaux, filtres, isolation.

Les relevés réels (simulateur, commande, moteur, bouton) sont dans test_balance_snapshots.py.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.brokers.models import Broker
from apps.stats.models import BalanceSnapshot
from apps.stats.services import balance_snapshots_prune
from apps.stats.tests.factories import at

pytestmark = pytest.mark.django_db

D = Decimal


def snap(broker: Broker, when, total: str | None = None, assets: dict | None = None,  # noqa: ANN001
         error: str = "") -> BalanceSnapshot:
    """Un relevé : `assets` = {actif: (quantité, valeur USD ou None)} ; sans total : illisible."""
    rows = [{"asset": a, "free": q, "used": "0", "total": q, "usd_price": None, "usd_value": v}
            for a, (q, v) in (assets or {}).items()]
    return BalanceSnapshot.objects.create(
        user=broker.user, broker=broker, taken_at=when, total_usd=D(total) if total is not None else None,
        assets=rows, error=error if total is None else "")


@pytest.fixture
def alice(make_user):  # noqa: ANN001, ANN201
    return make_user("alice")


@pytest.fixture
def brokers(alice):  # noqa: ANN001, ANN201
    main = Broker.objects.create(user=alice, name="Principal", exchange="binance", is_default=True)
    second = Broker.objects.create(user=alice, name="Secondaire", exchange="binance")
    return main, second


@pytest.fixture
def client(alice, logged_client):  # noqa: ANN001, ANN201
    return logged_client(alice)


def _history(client, **params):  # noqa: ANN001, ANN202
    resp = client.get("/api/stats/balance-history/", params)
    assert resp.status_code == 200, resp.content
    return resp.json()


def test_no_snapshot_gives_an_empty_series_with_the_cadence(client, brokers) -> None:  # noqa: ANN001
    data = _history(client)
    assert data["points"] == [] and data["kind"] == "balance" and data["interval"] == "hour"
    assert data["snapshot_minutes"] == 60
    assert [b["name"] for b in data["brokers"]] == ["Principal", "Secondaire"]


def test_total_is_summed_at_common_times_and_an_unreadable_broker_is_a_gap(client, brokers) -> None:  # noqa: ANN001
    main, second = brokers
    snap(main, at(5, 10), "1000", {"USDT": ("1000", "1000")})
    snap(second, at(5, 10), "500", {"BTC": ("0.01", "500")})
    snap(main, at(5, 11), "1010", {"USDT": ("1010", "1010")})
    snap(second, at(5, 11), error="Erreur de connexion à Binance : clés API refusées")
    snap(main, at(5, 12), "1020", {"USDT": ("1020", "1020")})
    snap(second, at(5, 12), "490", {"BTC": ("0.01", "490")})
    points = _history(client)["points"]
    assert [(p["time"], p["total_usd"]) for p in points] == [
        ("2026-01-05T10:00:00+00:00", "1500"),
        ("2026-01-05T11:00:00+00:00", None),  # un trou, pas 1010 (ni zéro)
        ("2026-01-05T12:00:00+00:00", "1510"),
    ]
    gap = points[1]
    assert gap["brokers"] == [
        {"broker_id": main.pk, "total_usd": "1010", "error": None},
        {"broker_id": second.pk, "total_usd": None,
         "error": "Erreur de connexion à Binance : clés API refusées"},
    ]
    assert points[0]["timestamp"] == int(at(5, 10).timestamp())
    # Un seul broker : sa propre série (lisible à 11 h pour le principal, trou pour le second).
    assert [p["total_usd"] for p in _history(client, broker=main.pk)["points"]] == ["1000", "1010", "1020"]
    assert [p["total_usd"] for p in _history(client, broker=second.pk)["points"]] == ["500", None, "490"]


def test_the_last_readable_snapshot_of_each_interval_wins(client, brokers) -> None:  # noqa: ANN001
    main, _ = brokers
    snap(main, at(6, 9, 0), "100")
    snap(main, at(6, 9, 20), "120")
    snap(main, at(6, 9, 40), error="Délai dépassé")  # plus récent mais illisible : ignoré
    snap(main, at(6, 15, 0), "150")
    snap(main, at(7, 8, 0), "170")
    hourly = _history(client)["points"]
    assert [(p["time"][11:16], p["total_usd"]) for p in hourly] == [
        ("09:00", "120"), ("15:00", "150"), ("08:00", "170")]
    assert hourly[0]["taken_at"] == at(6, 9, 20).isoformat()
    daily = _history(client, interval="day")["points"]
    assert [(p["time"], p["total_usd"]) for p in daily] == [
        ("2026-01-06T00:00:00+00:00", "150"), ("2026-01-07T00:00:00+00:00", "170")]
    # Fuseau : 23:30 UTC le 7 = le 8 à Paris.
    snap(main, at(7, 23, 30), "180")
    paris = _history(client, interval="day", tz="Europe/Paris")["points"]
    assert [(p["time"], p["total_usd"]) for p in paris] == [
        ("2026-01-06T00:00:00+01:00", "150"), ("2026-01-07T00:00:00+01:00", "170"),
        ("2026-01-08T00:00:00+01:00", "180")]


def test_assets_are_summed_across_brokers_top_five_then_the_rest(client, brokers) -> None:  # noqa: ANN001
    main, second = brokers
    snap(main, at(5, 10), "1790", {"USDT": ("1000", "1000"), "BTC": ("0.01", "600"), "ETH": ("0.05", "150"),
                                   "SOL": ("1", "20"), "XRP": ("10", "10"), "DOGE": ("50", "7"),
                                   "ADA": ("5", "3"), "ZZZ": ("7", None)})
    snap(second, at(5, 10), "700", {"BTC": ("0.01", "600"), "USDT": ("100", "100")})
    point = _history(client)["points"][0]
    assert point["total_usd"] == "2490"
    assert point["assets"] == [
        {"asset": "BTC", "total": "0.02", "usd_value": "1200"},
        {"asset": "USDT", "total": "1100", "usd_value": "1100"},
        {"asset": "ETH", "total": "0.05", "usd_value": "150"},
        {"asset": "SOL", "total": "1", "usd_value": "20"},
        {"asset": "XRP", "total": "10", "usd_value": "10"},
    ]
    assert (point["others_count"], point["others_usd"]) == (3, "10")  # DOGE, ADA, ZZZ (sans prix)


def test_period_filters(client, brokers) -> None:  # noqa: ANN001
    main, _ = brokers
    for day in (3, 4, 5):
        snap(main, at(day, 12), str(day * 100))
    data = _history(client, start="2026-01-04", end="2026-01-04")
    assert [p["total_usd"] for p in data["points"]] == ["400"]
    data = _history(client, start="2026-01-04T00:00:00Z")
    assert [p["total_usd"] for p in data["points"]] == ["400", "500"]


def test_users_only_see_their_own_balances(client, brokers, make_user, logged_client) -> None:  # noqa: ANN001
    main, _ = brokers
    snap(main, at(5, 10), "1000")
    bob = make_user("bob")
    bob_broker = Broker.objects.create(user=bob, name="Bob", exchange="binance")
    snap(bob_broker, at(5, 10), "999999")
    assert [p["total_usd"] for p in _history(client)["points"]] == ["1000"]
    bob_data = _history(logged_client(bob))
    assert [p["total_usd"] for p in bob_data["points"]] == ["999999"]
    assert [b["name"] for b in bob_data["brokers"]] == ["Bob"]
    resp = client.get("/api/stats/balance-history/", {"broker": bob_broker.pk})
    assert resp.status_code == 404
    assert resp.json()["detail"] == f"Broker introuvable (id {bob_broker.pk})."


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"interval": "week"}, "Intervalle « week » invalide"),
        ({"broker": "1 OR 1=1"}, "Filtre « broker » invalide"),
        ({"start": "hier"}, "Date « start » invalide"),
        ({"tz": "../../etc/passwd"}, "Fuseau horaire inconnu"),
        ({"start": "2026-01-10", "end": "2026-01-09"}, "la fin doit être postérieure au début"),
    ],
)
def test_bad_parameters_answer_400_in_french(client, params, message) -> None:  # noqa: ANN001
    resp = client.get("/api/stats/balance-history/", params)
    assert resp.status_code == 400
    assert message in resp.json()["detail"]


def test_reading_the_history_writes_nothing(client, brokers) -> None:  # noqa: ANN001
    _history(client)
    assert BalanceSnapshot.objects.count() == 0


def test_retention_prunes_old_snapshots(brokers, settings) -> None:  # noqa: ANN001
    main, _ = brokers
    now = timezone.now()
    snap(main, now - timedelta(days=800), "1")
    snap(main, now - timedelta(days=10), "2")
    assert balance_snapshots_prune(now=now) == 1
    assert list(BalanceSnapshot.objects.values_list("total_usd", flat=True)) == [D(2)]
    settings.ARISTOBOT_BALANCE_SNAPSHOT_RETENTION_DAYS = 0
    assert balance_snapshots_prune(now=now + timedelta(days=5000)) == 0


def test_a_total_without_error_or_an_error_without_total_is_enforced(brokers) -> None:  # noqa: ANN001
    from django.db import IntegrityError, transaction

    main, _ = brokers
    with pytest.raises(IntegrityError), transaction.atomic():
        BalanceSnapshot.objects.create(user=main.user, broker=main, taken_at=at(5), total_usd=None, error="")
    with pytest.raises(IntegrityError), transaction.atomic():
        BalanceSnapshot.objects.create(user=main.user, broker=main, taken_at=at(5), total_usd=D(0), error="x")
