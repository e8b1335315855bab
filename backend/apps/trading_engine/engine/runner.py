"""Un signal `heartbeat.signal` → toutes les stratégies concernées, exécutées en parallèle.

Sélection (spec §3.2) : `is_active`, `start_date <= maintenant <= end_date` et unité de temps de la
stratégie = celle du signal. Le symbole du signal n'est PAS un critère : le heartbeat est le
métronome (il suit BTCUSDT) et une stratégie ETH/USDT en 15m tourne à chaque clôture 15m. Comme le
heartbeat émet un signal par symbole suivi, un même (unité de temps, ouverture) n'est traité
qu'une fois.

Pour chaque stratégie, en parallèle (au plus `max_concurrency` à la fois) : bougies clôturées
et solde libre en devise de cotation récupérés ensemble (une seule lecture par signal, partagée
entre les stratégies concernées), position ouverte relue, code exécuté dans le pool avec un délai, puis action
spot : à plat + `should_long()` → achat ; en position + `should_short()` → vente de tout.
Une stratégie lente ou en erreur ne retarde pas les autres ; l'erreur est notée sur la stratégie.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.utils import timezone

from apps.core.exceptions import AristobotError
from apps.core.services.exchange_ops import balances_all, candles_fetch
from apps.core.timeframes import TIMEFRAMES
from apps.notifications import events as notification_events
from apps.strategies.runtime.pool import StrategyPool
from apps.trading.services.order_state import split_symbol
from apps.trading_engine.engine.config import EngineConfig
from apps.trading_engine.engine.notify import Notifier
from apps.trading_engine.engine.positions import position_close, position_open
from apps.trading_engine.engine.reconcile import entries_settle
from apps.trading_engine.engine.state import EngineStateStore
from apps.trading_engine.models import ActiveStrategy, Position
from apps.trading_engine.selectors import live_active_strategies

logger = logging.getLogger("aristobot.engine")

ENTRY_CALLS = ("should_long", "calculate_position_size", "calculate_stop_loss", "calculate_take_profit")
EXIT_CALLS = ("should_short",)


@dataclass
class RunOutcome:
    """Ce qu'une stratégie a fait sur un signal (journal, tests, banc d'essai)."""

    active_strategy_id: int
    action: str = "none"  # none | buy | sell | skipped
    error: str = ""
    trade_id: int | None = None
    duration_s: float = 0.0


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def position_payload(position: Position | None) -> dict[str, Any] | None:
    """La position telle que la stratégie la reçoit (`self.position`)."""
    if position is None:
        return None
    return {
        "id": position.pk, "symbol": position.symbol, "side": "long",
        "quantity": float(position.quantity), "entry_price": float(position.entry_price),
        "entry_cost": float(position.entry_cost), "stop_loss_price": _number(position.stop_loss_price),
        "take_profit_price": _number(position.take_profit_price),
        "protection_mode": position.protection_mode, "last_price": _number(position.last_price),
        "unrealized_pnl": _number(position.unrealized_pnl), "opened_at": position.opened_at.isoformat(),
    }


class SignalCache:
    """Lectures partagées par les stratégies d'un même signal (chacune téléchargée une fois).

    - bougies par (exchange, testnet, symbole, unité de temps) ;
    - soldes par broker : CCXT espace les appels `account` (poids 20 chez Binance, ~200 ms) ; 20
      stratégies d'un même compte feraient 20 appels en série. Les stratégies concurrentes voient
      donc le même solde : si leurs achats cumulés le dépassent, l'exchange refuse les derniers
      (ligne `trades` en erreur « Solde insuffisant »).
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self._tasks: dict[tuple[Any, ...], asyncio.Task[Any]] = {}

    async def _shared(self, key: tuple[Any, ...], factory: Any) -> Any:
        task = self._tasks.get(key)
        if task is None:
            task = self._tasks[key] = asyncio.ensure_future(factory())
        return await asyncio.shield(task)

    async def candles(self, active: ActiveStrategy, timeframe: str) -> list[list[Any]]:
        broker = active.broker
        key = ("candles", broker.exchange, broker.is_testnet, broker.pk if broker.is_testnet else 0,
               active.symbol, timeframe)
        return await self._shared(
            key, lambda: candles_fetch(broker, active.symbol, timeframe, self.count)
        )

    async def free_quote(self, active: ActiveStrategy) -> Decimal:
        _, quote = split_symbol(active.symbol)
        balances = await self._shared(("balance", active.broker_id),
                                      lambda: balances_all(active.broker))
        return balances.get(quote, Decimal(0))


class StrategyRunner:
    """Traite les signaux ; `handle_signal()` renvoie les résultats (None si signal ignoré)."""

    def __init__(
        self, *, pool: StrategyPool, config: EngineConfig, notifier: Notifier, state: EngineStateStore
    ) -> None:
        self.pool = pool
        self.config = config
        self.notifier = notifier
        self.state = state
        self._in_flight: set[int] = set()
        self._seen: dict[str, int] = {}

    async def handle_signal(self, message: dict[str, Any]) -> list[RunOutcome] | None:
        timeframe = str(message.get("timeframe") or "")
        if timeframe not in TIMEFRAMES:
            logger.warning("Signal ignoré : unité de temps inconnue (%r)", message.get("timeframe"))
            return None
        open_time = int(message.get("open_time") or 0)
        if open_time and self._seen.get(timeframe, -1) >= open_time:
            return None  # même bougie signalée pour un autre symbole (ou en double)
        if open_time:
            self._seen[timeframe] = open_time
        actives = await sync_to_async(list)(
            live_active_strategies(now=timezone.now())
            .filter(strategy__timeframe=timeframe).select_related("strategy", "broker")
        )
        started = time.perf_counter()
        cache = SignalCache(self.config.candles_count)
        limit = asyncio.Semaphore(self.config.max_concurrency)
        outcomes = list(await asyncio.gather(*(self._guarded(a, timeframe, cache, limit) for a in actives)))
        await self.state.signal_processed(timeframe, open_time, int(message.get("close_time") or 0))
        if actives:
            logger.info(
                "Signal %s : %d stratégie(s) en %.2f s (%s)", timeframe, len(actives),
                time.perf_counter() - started,
                ", ".join(f"{o.active_strategy_id}:{o.action}{'!' if o.error else ''}" for o in outcomes),
            )
        return outcomes

    async def _guarded(
        self, active: ActiveStrategy, timeframe: str, cache: SignalCache, limit: asyncio.Semaphore
    ) -> RunOutcome:
        if active.pk in self._in_flight:
            logger.warning("Stratégie active %s encore en cours : signal %s sauté", active.pk, timeframe)
            return RunOutcome(active.pk, action="skipped")
        self._in_flight.add(active.pk)
        try:
            async with limit:
                return await self.run_active(active, timeframe, cache)
        finally:
            self._in_flight.discard(active.pk)

    async def run_active(self, active: ActiveStrategy, timeframe: str, cache: SignalCache) -> RunOutcome:
        outcome = RunOutcome(active.pk)
        started = time.perf_counter()
        try:
            position = await Position.objects.filter(
                active_strategy_id=active.pk, status=Position.Status.OPEN
            ).afirst()
            rows, balance = await asyncio.gather(
                cache.candles(active, timeframe), cache.free_quote(active), return_exceptions=True
            )
            for result in (rows, balance):
                if isinstance(result, BaseException):
                    raise result
            decision = await self.pool.run(
                active.strategy.code, rows, float(balance), position_payload(position),
                calls=EXIT_CALLS if position else ENTRY_CALLS, timeout=self.config.strategy_timeout_s,
            )
            if decision.error:
                outcome.error = f"Stratégie « {active.strategy.name} » : {decision.error}"
            elif position is None and decision.should_long:
                await self._enter(active, decision, balance, outcome)
            elif position is not None and decision.should_short:
                closed = await position_close(
                    position_id=position.pk, reason="signal", notifier=self.notifier,
                    lease_s=self.config.close_lease_s,
                )
                outcome.action = "sell" if closed is not None else "skipped"
                if closed is not None and closed.exit_trade_id:
                    outcome.trade_id = closed.exit_trade_id
        except AristobotError as exc:
            outcome.error = exc.message
        except Exception as exc:  # noqa: BLE001 — une stratégie ne fait jamais tomber le moteur
            logger.exception("Erreur interne sur la stratégie active %s", active.pk)
            outcome.error = f"Erreur interne du moteur : {exc!r}"
        outcome.duration_s = time.perf_counter() - started
        await self._record(active, outcome)
        return outcome

    async def _enter(
        self, active: ActiveStrategy, decision: Any, balance: Decimal, outcome: RunOutcome
    ) -> None:
        size = Decimal(str(decision.position_size or 0))
        amount = min(size, balance)
        if amount <= 0:
            logger.info("Stratégie active %s : achat demandé mais taille nulle (taille %s, solde %s)",
                        active.pk, size, balance)
            return
        if not await self._previous_entry_settled(active, outcome):
            return
        trade, position = await position_open(
            active=active, quote_amount=amount, stop_loss=decision.stop_loss,
            take_profit=decision.take_profit, slippage=self.config.stop_limit_slippage,
            notifier=self.notifier,
        )
        outcome.trade_id = trade.pk
        if position is None:
            outcome.error = trade.error_message or f"Achat non exécuté (statut {trade.status})."
        else:
            outcome.action = "buy"

    async def _previous_entry_settled(self, active: ActiveStrategy, outcome: RunOutcome) -> bool:
        """Un achat précédent au statut incertain est vérifié avant tout nouvel achat (pas de doublon)."""
        message = await entries_settle(active=active, notifier=self.notifier,
                                       slippage=self.config.stop_limit_slippage)
        outcome.error = message
        return not message

    async def _record(self, active: ActiveStrategy, outcome: RunOutcome) -> None:
        previous = active.last_error
        active.last_run_at, active.last_error = timezone.now(), outcome.error[:4000]
        # Telegram : une erreur nouvelle (l'échec d'un ordre est déjà annoncé par l'ordre lui-même).
        if active.last_error and active.last_error != previous and outcome.trade_id is None:
            await notification_events.strategy_error(active=active, error=active.last_error)
        try:
            await ActiveStrategy.objects.filter(pk=active.pk).aupdate(
                last_run_at=active.last_run_at, last_error=active.last_error
            )
        except Exception:  # noqa: BLE001 — base indisponible : journalisé, le moteur continue
            logger.exception("Impossible d'enregistrer l'exécution de la stratégie active %s", active.pk)
        if outcome.error:
            logger.warning("Stratégie active %s : %s", active.pk, outcome.error)
        self.notifier.active(active)
