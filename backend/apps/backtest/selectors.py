"""Lectures des backtests : historique de l'utilisateur, orphelins, bougies du graphique.

Une lecture n'écrit jamais : un backtest resté « actif » sans tâche vivante (serveur redémarré)
est *montré* en erreur ; la ligne elle-même est corrigée au lancement suivant
(`services.backtests_expire_stale`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.backtest.jobs import local_job_ids
from apps.backtest.models import BacktestResult
from apps.core.access import owned
from apps.market_data.candle_store import candles_chart

DEFAULT_CHART_POINTS = 2000
MAX_CHART_POINTS = 10_000
#: Gros champs que la liste n'embarque pas (trades, courbe d'équité).
LIST_EXCLUDED = ("trades_detail", "equity_curve")
#: Une ligne active dont la tâche n'a pas donné de nouvelles depuis ce délai est orpheline.
STALE_AFTER = dt.timedelta(seconds=10)
STALE_MESSAGE = "Backtest interrompu par un redémarrage du serveur : relancez-le."


def backtests_visible(*, user: Any) -> QuerySet[BacktestResult]:
    """Les backtests de l'utilisateur (tous pour un développeur), plus récents d'abord."""
    return owned(BacktestResult.objects.all(), user)


def backtests_list(*, user: Any) -> QuerySet[BacktestResult]:
    """Comme `backtests_visible`, sans les gros champs (liste, WebSocket)."""
    return backtests_visible(user=user).defer(*LIST_EXCLUDED)


def backtest_get(*, user: Any, backtest_id: int) -> BacktestResult | None:
    """Un backtest de l'utilisateur (sans les gros champs), orphelin montré en erreur ; None sinon."""
    backtest = backtests_list(user=user).filter(pk=backtest_id).first()
    if backtest is not None:
        backtests_orphans_show([backtest])
    return backtest


def backtests_orphans_show(backtests: Iterable[BacktestResult]) -> None:
    """Présente en erreur (en mémoire seulement) les backtests actifs dont la tâche a disparu."""
    orphans_show(backtests, local_job_ids(), STALE_MESSAGE)


def orphans_show(rows: Iterable[Any], local: set[int], message: str) -> None:
    """Backtests ou optimisations : lignes actives sans tâche vivante montrées en erreur."""
    limit = timezone.now() - STALE_AFTER
    for backtest in rows:
        last_news = backtest.heartbeat_at or backtest.created_at
        if backtest.status in BacktestResult.ACTIVE_STATUSES and backtest.pk not in local \
                and last_news is not None and last_news < limit:
            backtest.status = BacktestResult.Status.ERROR
            backtest.error_message = message


def backtest_chart_candles(
    *, backtest: BacktestResult, max_points: int = DEFAULT_CHART_POINTS
) -> dict[str, Any]:
    """Bougies de la période du backtest (exchange du broker), regroupées au-delà de `max_points`."""
    points = min(max(int(max_points), 50), MAX_CHART_POINTS)
    data = candles_chart(
        exchange=backtest.exchange, symbol=backtest.symbol, timeframe=backtest.timeframe,
        start_ms=int(backtest.start_date.timestamp() * 1000),
        end_ms=int(backtest.end_date.timestamp() * 1000), max_points=points,
    )
    return {"timeframe": backtest.timeframe, **data}
