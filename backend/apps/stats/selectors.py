"""Lectures agrégées (lecture seule) : la barre de statut, les statistiques de performance et
l'évolution du solde (relevés `BalanceSnapshot`, en fin de module).

Tout est calculé par la base (`Sum`, `Count(filter=…)`, `Trunc…`, fenêtre cumulative) : aucune boucle
Python sur les trades. Définitions (les mêmes partout) :

- **horodatage** d'un trade : `executed_at`, à défaut `created_at` (filtres de période et courbe) ;
- **trade clôturé** : `profit_loss` renseigné (une sortie qui réalise un gain ou une perte) ;
  `pnl` = somme de ces `profit_loss`, `wins`/`losses` = clôturés > 0 / < 0, `win_rate` = wins / clôturés ;
- **ordres exécutés** (`orders`) : statut `filled` ; eux seuls comptent pour `fees` (`fee_quote`) et
  `volume` (`cost`, montant en devise de cotation) ;
- **erreurs** (`errors`) : tentatives au statut `error`, comptées à part.

Les montants sont additionnés tels quels, en devise de cotation (USDT en pratique) : aucune conversion.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncDay, TruncHour
from django.utils import timezone

from apps.brokers.models import Broker
from apps.core.access import owned
from apps.core.models import Alert
from apps.core.numbers import decimal_text
from apps.heartbeat.selectors import heartbeat_status_get
from apps.stats.models import BalanceSnapshot
from apps.strategies.models import Strategy
from apps.trading.models import Trade
from apps.trading_engine.selectors import live_active_strategies

# Au-delà de ce délai sans message, le heartbeat est considéré inactif même si la ligne dit connecté.
HEARTBEAT_STALE_SECONDS = 90


def status_snapshot(*, user: Any) -> dict[str, Any]:
    """Ce que la barre de statut affiche pour cet utilisateur."""
    hb = heartbeat_status_get()
    now = timezone.now()
    fresh = bool(
        hb.last_message_at and (now - hb.last_message_at).total_seconds() < HEARTBEAT_STALE_SECONDS
    )
    open_alerts = Alert.objects.filter(resolved_at__isnull=True).filter(
        Q(user__isnull=True) | Q(user=user)
    )
    coherence_alerts = open_alerts.filter(kind__in=("candle_gap", "candle_duplicate")).count()
    brokers = owned(Broker.objects.all(), user)
    live = owned(live_active_strategies(now=now), user)
    # Les comptes où tradent les stratégies live (tous les brokers s'il n'y en a aucune).
    live_brokers = brokers.filter(pk__in=live.values("broker_id"))
    venues = sorted({b.venue for b in (live_brokers if live_brokers.exists() else brokers)})
    return {
        "heartbeat": {
            "is_connected": bool(hb.is_connected and fresh),
            "last_heartbeat": hb.last_heartbeat.isoformat() if hb.last_heartbeat else None,
            "last_message_at": hb.last_message_at.isoformat() if hb.last_message_at else None,
        },
        "coherent": coherence_alerts == 0,
        "open_alerts": open_alerts.count(),
        "live_strategies": live.count(),
        "testnet": brokers.filter(is_testnet=True).exists(),
        "venues": venues,
    }


# --- Statistiques de performance ------------------------------------------------------------

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=30, decimal_places=12))
WIN_RATE_STEP = Decimal("0.0001")
INTERVALS = {"day": TruncDay, "hour": TruncHour}

CLOSED = Q(profit_loss__isnull=False)
FILLED = Q(status=Trade.Status.FILLED)


@dataclass(frozen=True)
class StatsFilters:
    """Filtres communs : broker (déjà vérifié comme appartenant à l'utilisateur) ou sorte de comptes
    (réels / papier), période [start, end[."""

    broker_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    paper: bool | None = None  # True : brokers papier seulement ; False : comptes réels seulement


def _metrics() -> dict[str, Any]:
    """Les agrégats d'un groupe de trades (nouveaux objets à chaque appel : Django les consomme)."""
    return {
        "pnl": Coalesce(Sum("profit_loss", filter=CLOSED), ZERO),
        "closed_trades": Count("pk", filter=CLOSED),
        "wins": Count("pk", filter=Q(profit_loss__gt=0)),
        "losses": Count("pk", filter=Q(profit_loss__lt=0)),
        "fees": Coalesce(Sum("fee_quote", filter=FILLED), ZERO),
        "volume": Coalesce(Sum("cost", filter=FILLED), ZERO),
        "orders": Count("pk", filter=FILLED),
        "errors": Count("pk", filter=Q(status=Trade.Status.ERROR)),
    }


METRIC_KEYS = tuple(_metrics())


def _present(row: dict[str, Any]) -> dict[str, Any]:
    """Met un groupe d'agrégats au format de l'API (montants en texte, taux de réussite calculé)."""
    closed = row["closed_trades"]
    win_rate = (Decimal(row["wins"]) / closed).quantize(WIN_RATE_STEP) if closed else None
    return {
        "pnl": decimal_text(row["pnl"]),
        "closed_trades": closed,
        "wins": row["wins"],
        "losses": row["losses"],
        "win_rate": decimal_text(win_rate),
        "fees": decimal_text(row["fees"]),
        "volume": decimal_text(row["volume"]),
        "orders": row["orders"],
        "errors": row["errors"],
    }


def trades_for_stats(*, user: Any, filters: StatsFilters) -> QuerySet[Trade]:
    """Les trades de l'utilisateur, filtrés par broker et par période (horodatage `at`)."""
    qs = owned(Trade.objects.all(), user).annotate(at=Coalesce("executed_at", "created_at"))
    if filters.broker_id is not None:
        qs = qs.filter(broker_id=filters.broker_id)
    if filters.paper is not None:
        qs = qs.filter(is_paper=filters.paper)  # marqué à l'ordre : survit au broker supprimé
    if filters.start is not None:
        qs = qs.filter(at__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(at__lt=filters.end)
    return qs.order_by()


def stats_summary(*, user: Any, filters: StatsFilters) -> dict[str, Any]:
    """Totaux et répartition par source (manuel, stratégie, webhook) — toujours les trois."""
    qs = trades_for_stats(user=user, filters=filters)
    total = qs.aggregate(**_metrics())
    by_source = {row["source"]: row for row in qs.values("source").annotate(**_metrics())}
    empty = dict.fromkeys(METRIC_KEYS, 0) | {"pnl": Decimal(0), "fees": Decimal(0), "volume": Decimal(0)}
    return {
        "total": _present(total),
        "by_source": {
            source: {"source": source, "label": str(label), **_present(by_source.get(source, empty))}
            for source, label in Trade.Source.choices
        },
    }


def _ranked(rows: QuerySet) -> QuerySet:
    return rows.order_by("-pnl", "label")


def stats_by_strategy(*, user: Any, filters: StatsFilters) -> list[dict[str, Any]]:
    """Une ligne par stratégie (trades de source `strategy`) ; `strategy_id` nul = stratégie supprimée."""
    rows = (
        trades_for_stats(user=user, filters=filters)
        .filter(source=Trade.Source.STRATEGY)
        .values("strategy_id")
        .annotate(label=Subquery(Strategy.objects.filter(pk=OuterRef("strategy_id")).values("name")[:1]),
                  **_metrics())
    )
    return [
        {"strategy_id": row["strategy_id"], "name": row["label"], **_present(row)}
        for row in _ranked(rows)
    ]


def stats_by_webhook_source(*, user: Any, filters: StatsFilters) -> list[dict[str, Any]]:
    """Une ligne par libellé `source` du webhook à l'origine du trade (nul si le webhook a disparu)."""
    rows = (
        trades_for_stats(user=user, filters=filters)
        .filter(source=Trade.Source.WEBHOOK)
        # Libellé `source` du webhook d'origine (lu en SQL : les statistiques n'importent pas l'app
        # webhooks, contrat d'import « stats → webhooks »).
        .annotate(label=RawSQL("SELECT w.source FROM webhooks w WHERE w.id = trades.webhook_id", ()))
        .values("label")
        .annotate(**_metrics())
    )
    return [{"source": row["label"], **_present(row)} for row in _ranked(rows)]


def stats_by_symbol(*, user: Any, filters: StatsFilters, source: str | None = None) -> list[dict[str, Any]]:
    """Une ligne par symbole (tableau « Manuel » : `source=manual`)."""
    qs = trades_for_stats(user=user, filters=filters)
    if source:
        qs = qs.filter(source=source)
    rows = qs.values("symbol").annotate(label=F("symbol"), **_metrics())
    return [{"symbol": row["label"], **_present(row)} for row in _ranked(rows)]


def stats_pnl_history(
    *, user: Any, filters: StatsFilters, interval: str = "day", tz: str = "UTC"
) -> dict[str, Any]:
    """Courbe du P&L réalisé cumulé : un point par intervalle contenant au moins un trade clôturé.

    Ce n'est pas le solde du compte (voir `stats_balance_history`) : c'est la somme cumulée des
    `profit_loss` depuis le début de la période (`cumulative`), plus `opening_pnl`, le P&L réalisé
    avant la période (mêmes filtres de broker), pour qui veut la courbe depuis l'origine.
    """
    trunc = INTERVALS[interval]
    closed = trades_for_stats(user=user, filters=filters).filter(CLOSED)
    bucket = trunc("at", tzinfo=ZoneInfo(tz))
    # Fenêtres par trade puis DISTINCT : une ligne par intervalle. Avec ORDER BY bucket, le cadre par
    # défaut (RANGE … CURRENT ROW) inclut tout l'intervalle courant : le cumul est celui de fin d'intervalle.
    rows = (
        closed.annotate(bucket=bucket)
        .annotate(
            pnl=Window(Sum("profit_loss"), partition_by=F("bucket")),
            closed_trades=Window(Count("pk"), partition_by=F("bucket")),
            cumulative=Window(Sum("profit_loss"), order_by=F("bucket").asc()),
        )
        .values("bucket", "pnl", "closed_trades", "cumulative")
        .distinct()
        .order_by("bucket")
    )
    opening = Decimal(0)
    if filters.start is not None:
        before = StatsFilters(broker_id=filters.broker_id, paper=filters.paper, end=filters.start)
        opening = (
            trades_for_stats(user=user, filters=before)
            .filter(CLOSED)
            .aggregate(total=Coalesce(Sum("profit_loss"), ZERO))["total"]
        )
    points = [
        {
            "time": row["bucket"].isoformat(),
            "timestamp": int(row["bucket"].timestamp()),
            "pnl": decimal_text(row["pnl"]),
            "cumulative": decimal_text(row["cumulative"]),
            "closed_trades": row["closed_trades"],
        }
        for row in rows
    ]
    return {
        "interval": interval,
        "timezone": tz,
        "kind": "realized_pnl",
        "opening_pnl": decimal_text(opening),
        "points": points,
    }


# --- Évolution du solde (relevés `BalanceSnapshot`) -----------------------------------------

TOP_ASSETS = 5  # actifs détaillés par point (les suivants sont résumés dans `others_*`)


def _snapshots_by_bucket(*, user: Any, filters: StatsFilters, interval: str, tz: str) -> QuerySet:
    """Par broker et par intervalle, le DERNIER relevé lisible (à défaut le dernier relevé, illisible)."""
    qs = owned(BalanceSnapshot.objects.all(), user)
    if filters.broker_id is not None:
        qs = qs.filter(broker_id=filters.broker_id)
    if filters.paper is not None:
        qs = qs.filter(broker__is_paper=filters.paper)
    if filters.start is not None:
        qs = qs.filter(taken_at__gte=filters.start)
    if filters.end is not None:
        qs = qs.filter(taken_at__lt=filters.end)
    readable = ExpressionWrapper(Q(total_usd__isnull=False), output_field=BooleanField())
    return (
        qs.annotate(bucket=INTERVALS[interval]("taken_at", tzinfo=ZoneInfo(tz)), readable=readable)
        .order_by("broker_id", "bucket", "-readable", "-taken_at")
        .distinct("broker_id", "bucket")
        .values("broker_id", "bucket", "taken_at", "total_usd", "assets", "error")
    )


def _assets_sum(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Actifs additionnés sur les brokers lisibles, par valeur décroissante (non valorisés à la fin)."""
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        for item in row["assets"] or []:
            entry = totals.setdefault(item["asset"], {"asset": item["asset"], "total": Decimal(0),
                                                      "usd_value": None})
            entry["total"] += Decimal(item.get("total") or 0)
            if item.get("usd_value") is not None:
                entry["usd_value"] = (entry["usd_value"] or Decimal(0)) + Decimal(item["usd_value"])
    return sorted(totals.values(), key=lambda a: (a["usd_value"] is None, -(a["usd_value"] or 0), a["asset"]))


def _balance_point(bucket: datetime, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Un point : total si TOUS les brokers relevés dans l'intervalle sont lisibles, sinon nul (trou)."""
    readable = [row for row in rows if row["total_usd"] is not None]
    total = sum((row["total_usd"] for row in readable), Decimal(0)) if len(readable) == len(rows) else None
    assets = _assets_sum(readable)
    others = assets[TOP_ASSETS:]
    return {
        "time": bucket.isoformat(),
        "timestamp": int(bucket.timestamp()),
        "taken_at": max(row["taken_at"] for row in rows).isoformat(),
        "total_usd": decimal_text(total),
        "assets": [{"asset": a["asset"], "total": decimal_text(a["total"]),
                    "usd_value": decimal_text(a["usd_value"])} for a in assets[:TOP_ASSETS]],
        "others_count": len(others),
        "others_usd": decimal_text(sum((a["usd_value"] or Decimal(0) for a in others), Decimal(0))),
        "brokers": [{"broker_id": row["broker_id"], "total_usd": decimal_text(row["total_usd"]),
                     "error": row["error"] or None} for row in rows],
    }


def stats_balance_history(
    *, user: Any, filters: StatsFilters, interval: str = "hour", tz: str = "UTC"
) -> dict[str, Any]:
    """Évolution du solde valorisé en USD(T), d'après les relevés (moteur, commande, bouton).

    Un point par intervalle (`hour`, `day` dans le fuseau `tz`) : pour chaque broker, son dernier
    relevé lisible de l'intervalle ; `total_usd` = leur somme, **nul** si un broker relevé dans
    l'intervalle y est resté illisible (un trou, jamais un zéro : le détail est dans `brokers`).
    """
    by_bucket: dict[datetime, list[dict[str, Any]]] = defaultdict(list)
    for row in _snapshots_by_bucket(user=user, filters=filters, interval=interval, tz=tz):
        by_bucket[row["bucket"]].append(row)
    brokers = owned(Broker.objects.all(), user)
    if filters.broker_id is not None:
        brokers = brokers.filter(pk=filters.broker_id)
    if filters.paper is not None:
        brokers = brokers.filter(is_paper=filters.paper)
    return {
        "interval": interval,
        "timezone": tz,
        "kind": "balance",
        "snapshot_minutes": settings.ARISTOBOT_BALANCE_SNAPSHOT_MINUTES,
        "brokers": list(brokers.order_by("name", "pk").values("id", "name")),
        "points": [_balance_point(bucket, by_bucket[bucket]) for bucket in sorted(by_bucket)],
    }
