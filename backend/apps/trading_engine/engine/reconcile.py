"""Reprise au démarrage : la base et l'exchange sont remis d'accord avant tout nouveau signal.

1. Ventes interrompues (bail, statut inconnu) retrouvées par leur identifiant client.
2. Achats exécutés sans position (arrêt entre l'ordre et l'écriture) : position recréée (sans SL/TP).
3. Un passage de surveillance : protections exécutées pendant l'arrêt → positions clôturées ;
   seuils surveillés dépassés → vente.
4. Soldes : actif de base détenu < quantité des positions ouvertes → alerte `position_mismatch`.
5. Signaux émis par le heartbeat pendant l'arrêt → alerte `missed_signals` (compte par unité de
   temps). On ne trade JAMAIS sur ces signaux périmés.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.db.models import Q
from django.utils import timezone

from apps.core.exceptions import AristobotError
from apps.core.models import Alert
from apps.core.numbers import number_fr
from apps.core.services.exchange_ops import balances_fetch
from apps.core.timeframes import ms_to_dt
from apps.heartbeat.models import HeartbeatSignal
from apps.trading.models import Trade
from apps.trading.services.order_state import EXECUTED, executed, split_symbol
from apps.trading_engine.engine.config import EngineConfig
from apps.trading_engine.engine.monitor import PositionMonitor
from apps.trading_engine.engine.notify import Notifier
from apps.trading_engine.engine.positions import (
    UNSETTLED,
    position_from_entry,
    position_recover,
    trade_resolve,
)
from apps.trading_engine.models import ActiveStrategy, EngineState, Position

logger = logging.getLogger("aristobot.engine")

MISMATCH, MISSED = "position_mismatch", "missed_signals"


async def _alert(
    *,
    kind: str,
    message: str,
    details: dict[str, Any],
    level: str = Alert.Level.WARNING,
    user_id: int | None = None,
    symbol: str = "",
) -> Alert | None:
    """Crée une alerte, sauf si la même (type, utilisateur, symbole) est déjà ouverte."""
    same = Alert.objects.filter(kind=kind, user_id=user_id, symbol=symbol, resolved_at__isnull=True)
    if kind != MISSED and await same.aexists():
        return None
    logger.warning("Alerte %s : %s", kind, message)
    return await Alert.objects.acreate(kind=kind, message=message, details=details, level=level,
                                       user_id=user_id, symbol=symbol)


async def entries_settle(*, active: ActiveStrategy, notifier: Notifier, slippage: Decimal) -> str:
    """Vérifie les achats au statut incertain ou exécutés sans position ; message si pas d'achat possible."""
    adopted = Position.objects.filter(entry_trade__isnull=False).values("entry_trade_id")
    entries = Trade.objects.filter(active_strategy_id=active.pk, role=Trade.Role.ENTRY).filter(
        Q(status__in=UNSETTLED) | Q(status__in=EXECUTED, quantity__gt=0)
    ).exclude(pk__in=adopted).order_by("created_at")
    async for trade in entries:
        await trade_resolve(active.broker, trade)
        if trade.status in UNSETTLED:
            return f"Achat {trade.client_order_id} au statut inconnu : nouvel achat suspendu."
        if not executed(trade):
            continue
        if await Position.objects.filter(active_strategy_id=active.pk, status=Position.Status.OPEN).aexists():
            await _alert(kind=MISMATCH, user_id=active.user_id, symbol=trade.symbol,
                         message=f"Achat {trade.client_order_id} exécuté sans position alors qu'une autre "
                                 f"position est ouverte (stratégie active {active.pk}) : à vérifier.",
                         details={"trade_id": trade.pk, "active_strategy_id": active.pk})
            continue
        await position_from_entry(active=active, trade=trade, stop_loss=None, take_profit=None,
                                  slippage=slippage, notifier=notifier)
        return (f"Achat {trade.client_order_id} retrouvé exécuté : position reprise sans SL/TP, "
                "pas de nouvel achat.")
    return ""


class Reconciler:
    """Enchaîne les étapes de reprise ; chaque étape en échec est journalisée sans bloquer les autres."""

    def __init__(self, *, config: EngineConfig, notifier: Notifier, monitor: PositionMonitor) -> None:
        self.config = config
        self.notifier = notifier
        self.monitor = monitor

    async def run(self, *, previous: EngineState, started_at: dt.datetime) -> dict[str, Any]:
        report: dict[str, Any] = {}
        steps = (("exits", self.recover_exits()), ("entries", self.settle_entries()),
                 ("positions", self.monitor.check_all()), ("balances", self.check_balances()),
                 ("missed_signals", self.missed_signals(previous, started_at)))
        for name, step in steps:
            try:
                report[name] = await step
            except Exception as exc:  # noqa: BLE001
                logger.exception("Reprise : étape %s en échec", name)
                report[name] = f"erreur : {exc!r}"
        logger.info("Reprise terminée : %s", report)
        self.notifier.status_changed()
        return report

    async def recover_exits(self) -> int:
        ids = await sync_to_async(list)(
            Position.objects.filter(status=Position.Status.OPEN).values_list("pk", flat=True)
        )
        closed = 0
        for position_id in ids:
            try:
                if await position_recover(position_id=position_id, notifier=self.notifier, lease_s=0):
                    closed += 1
            except AristobotError as exc:
                logger.warning("Position %s : %s", position_id, exc.message)
        return closed

    async def settle_entries(self) -> int:
        since = timezone.now() - dt.timedelta(days=self.config.orphan_entry_days)
        adopted = Position.objects.filter(entry_trade__isnull=False).values("entry_trade_id")
        active_ids = await sync_to_async(list)(
            Trade.objects.filter(role=Trade.Role.ENTRY, source=Trade.Source.STRATEGY, created_at__gte=since,
                                 active_strategy_id__isnull=False)
            .filter(Q(status__in=UNSETTLED) | Q(status__in=EXECUTED, quantity__gt=0))
            .exclude(pk__in=adopted).values_list("active_strategy_id", flat=True).distinct()
        )
        for active in await sync_to_async(list)(
            ActiveStrategy.objects.filter(pk__in=active_ids).select_related("broker")
        ):
            message = await entries_settle(active=active, notifier=self.notifier,
                                           slippage=self.config.stop_limit_slippage)
            if message:
                await ActiveStrategy.objects.filter(pk=active.pk).aupdate(last_error=message)
        return len(active_ids)

    async def check_balances(self) -> int:
        """Alerte si l'actif détenu sur un broker est inférieur aux positions ouvertes qui le portent."""
        positions = await sync_to_async(list)(
            Position.objects.filter(status=Position.Status.OPEN).select_related("broker")
        )
        expected: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
        brokers, ids = {}, defaultdict(list)
        for position in positions:
            base, _ = split_symbol(position.symbol)
            expected[(position.broker_id, base)] += position.quantity
            brokers[position.broker_id] = position.broker
            ids[(position.broker_id, base)].append(position.pk)
        alerts = 0
        for broker_id, broker in brokers.items():
            assets = tuple(asset for (b, asset) in expected if b == broker_id)
            try:
                balances = await balances_fetch(broker, assets)
            except AristobotError as exc:
                logger.warning("Soldes de %s illisibles pour la reprise : %s", broker.name, exc.message)
                continue
            for asset in assets:
                want, have = expected[(broker_id, asset)], balances[asset].total
                if have < want * (1 - self.config.mismatch_tolerance):
                    alert = await _alert(
                        kind=MISMATCH, level=Alert.Level.ERROR, user_id=broker.user_id, symbol=asset,
                        message=f"Solde {asset} sur {broker.name} ({number_fr(have)}) inférieur aux "
                                f"positions ouvertes ({number_fr(want)}) : vendu hors d'Aristobot ? "
                                "Vérifiez avant de laisser trader.",
                        details={"broker_id": broker_id, "asset": asset, "expected": str(want),
                                 "found": str(have), "positions": ids[(broker_id, asset)]},
                    )
                    alerts += alert is not None
        return alerts

    async def missed_signals(self, previous: EngineState, started_at: dt.datetime) -> dict[str, int]:
        """Compte les signaux émis pendant l'arrêt (par unité de temps) et les note comme manqués."""
        if previous.last_signal_at is None:
            return {}  # premier démarrage : rien à comparer
        rows = await sync_to_async(list)(
            HeartbeatSignal.objects.filter(close_time__gt=previous.last_signal_at, sent_at__lt=started_at)
            .values_list("timeframe", "open_time", "close_time").distinct()
        )
        seen = previous.last_signals or {}
        missed = {(tf, ot, ct) for tf, ot, ct in rows if ot > ms_to_dt(int(seen.get(tf, 0)))}
        counts = dict(sorted(Counter(tf for tf, _, _ in missed).items()))
        if not counts:
            return {}
        last_close = max(ct for _, _, ct in missed)
        detail = " ; ".join(f"{tf} : {n}" for tf, n in counts.items())
        await _alert(
            kind=MISSED, level=Alert.Level.WARNING,
            message=f"Moteur de trading arrêté : {sum(counts.values())} signal(aux) manqué(s) entre "
                    f"le {previous.last_signal_at:%d.%m.%Y %H:%M} et le {started_at:%d.%m.%Y %H:%M} UTC "
                    f"({detail}). Aucun ordre n'a été passé sur ces signaux périmés.",
            details={"counts": counts, "since": previous.last_signal_at.isoformat(),
                     "until": started_at.isoformat()},
        )
        # Comptés une fois : au prochain démarrage, la comparaison repart d'ici.
        await EngineState.objects.filter(pk=1).aupdate(last_signal_at=last_close)
        return counts
