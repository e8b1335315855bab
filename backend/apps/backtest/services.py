"""Services des backtests : lancement, annulation, suppression, lignes orphelines.

Le calcul lui-même est dans `jobs.py` (tâche de fond + processus worker) ; le moteur pur dans
`engine/`. Réglages (facultatifs, `settings`) : `ARISTOBOT_BACKTEST_WORKERS` (calculs simultanés
par processus, 2), `ARISTOBOT_BACKTEST_MEMORY_MB` (plafond d'un worker, 4096),
`ARISTOBOT_BACKTEST_MAX_CANDLES` (1 100 000), `ARISTOBOT_BACKTEST_MAX_ACTIVE_PER_USER` (3),
`ARISTOBOT_BACKTEST_SPARE_WORKER` (worker de réserve, True).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from asgiref.sync import async_to_sync
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.backtest.engine.params import cast_params
from apps.backtest.jobs import backtest_job_cancel, backtest_launch, local_job_ids, setting
from apps.backtest.messages import cancelled_message, push
from apps.backtest.models import BacktestResult
from apps.backtest.selectors import STALE_AFTER, STALE_MESSAGE
from apps.brokers.models import Broker
from apps.core.access import owned_get
from apps.core.exceptions import AristobotError, ConflictError
from apps.core.numbers import number_fr
from apps.core.timeframes import TIMEFRAME_MINUTES
from apps.market_data.models import MarketSymbol
from apps.strategies.models import Strategy

Status = BacktestResult.Status
ACTIVE = BacktestResult.ACTIVE_STATUSES
MAX_FEE_RATE = Decimal("0.1")
#: Caractères d'un symbole d'exchange (BTC/USDT, 1000SATS/USDT, BTC/USDT:USDT).
SYMBOL_CHARS = re.compile(r"[A-Z0-9][A-Z0-9/:._-]*")


def _symbol_normalize(*, exchange: str, symbol: str) -> str:
    """`btc-usdt`, `BTCUSDT` → `BTC/USDT` ; refus d'un symbole inconnu si les paires sont chargées."""
    text = symbol.strip().upper().replace("-", "/")
    if not text:
        raise AristobotError("Symbole obligatoire (ex. BTC/USDT).", errors={"symbol": ["Obligatoire."]})
    if not SYMBOL_CHARS.fullmatch(text):
        raise AristobotError(f"Symbole invalide : « {text[:40]} » (lettres, chiffres et / : . _ - "
                             "seulement, ex. BTC/USDT).", errors={"symbol": ["Invalide."]})
    known = MarketSymbol.objects.filter(exchange=exchange)
    if not known.exists():
        return text  # paires pas encore chargées : l'exchange tranchera au téléchargement
    row = known.filter(Q(symbol=text) | Q(exchange_symbol=text.replace("/", ""))).first()
    if row is None:
        raise AristobotError(f"Symbole inconnu sur {exchange} : {text}.",
                             errors={"symbol": [f"Inconnu sur {exchange}."]})
    return row.symbol


def _period_check(*, timeframe: str, start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    step = dt.timedelta(minutes=TIMEFRAME_MINUTES[timeframe])
    now = timezone.now()
    end = min(end, now)
    if end <= start:
        raise AristobotError("La date de fin doit suivre la date de début (et la période être passée).",
                             errors={"end_date": ["Doit suivre la date de début."]})
    candles = int((end - start) / step)
    if candles < 2:
        raise AristobotError(f"Période trop courte : moins de 2 bougies {timeframe}.",
                             errors={"end_date": ["Période trop courte."]})
    limit = int(setting("ARISTOBOT_BACKTEST_MAX_CANDLES", 1_100_000))
    if candles > limit:
        raise AristobotError(
            f"Période trop longue : {number_fr(candles)} bougies {timeframe} (maximum "
            f"{number_fr(limit)}). Raccourcissez la période ou choisissez une unité plus longue.",
            errors={"start_date": ["Période trop longue."]})
    return start, end


@dataclass(frozen=True)
class LaunchPlan:
    """Une demande de backtest vérifiée (stratégie et broker de l'utilisateur, période, paire)."""

    strategy: Strategy
    broker: Broker
    symbol: str
    timeframe: str
    start: dt.datetime
    end: dt.datetime
    initial_amount: Decimal
    fee_rate: Decimal

    def fields(self) -> dict[str, Any]:
        """Les champs communs d'une ligne `BacktestResult` ou `BacktestOptimization`."""
        return {"strategy": self.strategy, "broker": self.broker,
                "strategy_name": self.strategy.name, "strategy_code": self.strategy.code,
                "exchange": self.broker.exchange, "symbol": self.symbol,
                "timeframe": self.timeframe, "start_date": self.start, "end_date": self.end,
                "initial_amount": self.initial_amount, "fee_rate": self.fee_rate}


def launch_plan(
    *,
    user: Any,
    strategy_id: int,
    broker_id: int,
    symbol: str,
    timeframe: str,
    start_date: dt.datetime,
    end_date: dt.datetime,
    initial_amount: Decimal,
    fee_rate: Decimal,
) -> LaunchPlan:
    """Vérifie une demande de backtest (ou d'optimisation) ; `AristobotError` en français sinon."""
    strategy = owned_get(Strategy.objects.all(), user, strategy_id, label="Stratégie")
    broker = owned_get(Broker.objects.all(), user, broker_id, label="Broker")
    if not strategy.code.strip():
        raise AristobotError("La stratégie n'a pas de code.", errors={"strategy": ["Code vide."]})
    if timeframe not in TIMEFRAME_MINUTES:
        raise AristobotError(f"Unité de temps inconnue : « {timeframe} ».",
                             errors={"timeframe": ["Inconnue."]})
    if initial_amount <= 0:
        raise AristobotError("Le montant de départ doit être strictement positif.",
                             errors={"initial_amount": ["Doit être > 0."]})
    if not (0 <= fee_rate <= MAX_FEE_RATE):
        raise AristobotError("Les frais doivent être une fraction entre 0 et 0,1 (0.001 = 0,1 %).",
                             errors={"fee_rate": ["Entre 0 et 0,1."]})
    start, end = _period_check(timeframe=timeframe, start=start_date, end=end_date)
    normalized = _symbol_normalize(exchange=broker.exchange, symbol=symbol)
    return LaunchPlan(strategy=strategy, broker=broker, symbol=normalized, timeframe=timeframe,
                      start=start, end=end, initial_amount=initial_amount, fee_rate=fee_rate)


def backtest_create(*, user: Any, params: dict[str, Any] | None = None,
                    **request: Any) -> BacktestResult:
    """Crée le backtest (en attente) et le lance en arrière-plan après la validation de la
    transaction. `request` : les arguments de `launch_plan` ; `params` : valeurs imposées aux
    paramètres de la stratégie (« Appliquer » d'une optimisation)."""
    plan = launch_plan(user=user, **request)
    values = cast_params(plan.strategy.code, params)
    backtests_expire_stale()
    active = BacktestResult.objects.filter(user=user, status__in=ACTIVE).count()
    limit = int(setting("ARISTOBOT_BACKTEST_MAX_ACTIVE_PER_USER", 3))
    if active >= limit:
        raise ConflictError(f"Vous avez déjà {active} backtest(s) en cours (maximum {limit}) : "
                            "attendez la fin de l'un d'eux ou arrêtez-le.")
    with transaction.atomic():
        backtest = BacktestResult.objects.create(
            user=user, **plan.fields(), params=values, status=Status.PENDING,
            heartbeat_at=timezone.now())
        transaction.on_commit(lambda pk=backtest.pk: backtest_launch(backtest_id=pk))
    return backtest


def cancel_active(row: Any, *, after_cancel: Any, finished_text: str) -> Any:
    """Passe une tâche active (backtest ou optimisation) à « annulé », une seule fois même sous
    concurrence ; `after_cancel(pk, phase)` après le commit. Déjà annulée : rendue telle quelle ;
    terminée ou en erreur : `ConflictError` (`finished_text` + statut)."""
    model = type(row)
    if row.status == model.Status.CANCELLED:
        return row
    downloading = (model.Status.PENDING, model.Status.DOWNLOADING)
    phase = "download" if row.status in downloading else "compute"
    now = timezone.now()
    with transaction.atomic():
        rows = model.objects.filter(pk=row.pk, status__in=model.ACTIVE_STATUSES).update(
            status=model.Status.CANCELLED, finished_at=now, heartbeat_at=now)
        if rows:
            transaction.on_commit(lambda: after_cancel(row.pk, phase))
    row.refresh_from_db()
    if not rows and row.status != model.Status.CANCELLED:
        raise ConflictError(f"{finished_text} (statut : {row.get_status_display()}).")
    return row


def backtest_cancel(*, backtest: BacktestResult) -> BacktestResult:
    """Arrête un backtest actif (téléchargement ou calcul) et le marque « annulé ».

    Déjà annulé : rendu tel quel. Terminé ou en erreur : `ConflictError`.
    """
    return cancel_active(backtest, after_cancel=_after_cancel,
                         finished_text="Ce backtest est déjà terminé")
    phase = "download" if backtest.status in (Status.PENDING, Status.DOWNLOADING) else "compute"
    now = timezone.now()
    with transaction.atomic():
        rows = BacktestResult.objects.filter(pk=backtest.pk, status__in=ACTIVE).update(
            status=Status.CANCELLED, finished_at=now, heartbeat_at=now)
        if rows:
            transaction.on_commit(lambda: _after_cancel(backtest.pk, phase))
    backtest.refresh_from_db()
    if not rows and backtest.status != Status.CANCELLED:
        raise ConflictError(f"Ce backtest est déjà terminé (statut : {backtest.get_status_display()}).")
    return backtest


def _after_cancel(backtest_id: int, phase: str) -> None:
    backtest_job_cancel(backtest_id=backtest_id)  # ce processus : arrêt immédiat ; sinon < 1 s
    backtest = BacktestResult.objects.filter(pk=backtest_id).first()
    if backtest is not None:
        async_to_sync(push)(backtest_id, cancelled_message(backtest, phase=phase))


def backtest_delete(*, backtest: BacktestResult) -> None:
    """Supprime un backtest (arrêté d'abord s'il tourne encore)."""
    backtest_id = backtest.pk
    backtest.delete()
    backtest_job_cancel(backtest_id=backtest_id)


def backtests_expire_stale() -> int:
    """Passe en erreur les backtests « actifs » sans tâche vivante (serveur redémarré, crash)."""
    limit = timezone.now() - STALE_AFTER
    stale = (Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, created_at__lt=limit))
    return (
        BacktestResult.objects.filter(stale, status__in=ACTIVE)
        .exclude(pk__in=local_job_ids())
        .update(status=Status.ERROR, error_message=STALE_MESSAGE, finished_at=timezone.now())
    )

