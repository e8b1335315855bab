"""Surveillance des positions ouvertes, toutes les minutes, indépendamment des signaux (spec §3.2).

Pour chaque position ouverte (même si sa stratégie est arrêtée ou suspendue : ses SL/TP restent
gardés) :

- mode `exchange` : l'état des ordres de protection est relu ; une jambe exécutée clôt la position
  (ligne `trades` de la jambe = sortie, avec P&L) ; des ordres annulés à la main → mode surveillé ;
  un prix passé sous le prix limite du stop (le stop-limit ne peut plus s'exécuter) → vente au marché ;
- mode `watched` : prix (ticker) au-delà du SL ou du TP → vente au marché ;
- `last_price` et `unrealized_pnl` mis à jour (un ticker par broker et symbole) ;
- une vente interrompue (bail abandonné) est reprise.

Le même passage rattrape d'abord le journal `trades` de chaque broker actif qui a des ordres ouverts
(`apps.brokers.journal.JournalCatchUp`, au plus une fois par minute et par broker) : lignes encore
`open` dont l'ordre a été exécuté ou annulé sur l'exchange, et, en papier, ordres limites que le prix
a croisés (un venue papier n'a pas de carnet qui les exécuterait tout seul). Les GET de l'application
n'écrivent jamais : c'est ici (et au POST de rattrapage de la page Trading manuel) que cela se fait.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.utils import timezone

from apps.brokers.journal import JournalCatchUp
from apps.core.aio import poll_until
from apps.core.exceptions import AristobotError
from apps.core.services.exchange import ticker_fetch
from apps.trading.services.protection import EXCHANGE, WATCHED, protection_status
from apps.trading_engine.engine.config import EngineConfig
from apps.trading_engine.engine.notify import Notifier
from apps.trading_engine.engine.positions import (
    position_close,
    position_recover,
    position_settle,
    protective_ids,
    unrealized,
)
from apps.trading_engine.models import Position

logger = logging.getLogger("aristobot.engine")


class PositionMonitor:
    """`check_all()` fait un passage ; `run()` le répète toutes les `monitor_interval_s` secondes."""

    def __init__(self, *, config: EngineConfig, notifier: Notifier) -> None:
        self.config = config
        self.notifier = notifier
        self.passes = 0
        self.journal = JournalCatchUp(interval_s=config.journal_catch_up_interval_s)

    async def run(self, stop: asyncio.Event) -> None:
        await poll_until(stop, interval_s=self.config.monitor_interval_s, work=self.check_all,
                         log=logger, failure="Surveillance des positions en échec (nouvel essai "
                                             "au prochain passage)")

    async def check_all(self) -> dict[int, str]:
        """Un passage sur toutes les positions ouvertes ; {id de position: résultat}."""
        self.passes += 1
        await self.journal.run()
        positions = await sync_to_async(list)(
            Position.objects.filter(status=Position.Status.OPEN).select_related("broker", "active_strategy")
        )
        by_market: dict[tuple[int, str], list[Position]] = defaultdict(list)
        for position in positions:
            by_market[(position.broker_id, position.symbol)].append(position)
        results: dict[int, str] = {}
        await asyncio.gather(*(self._check_market(group, results) for group in by_market.values()))
        return results

    async def _check_market(self, positions: list[Position], results: dict[int, str]) -> None:
        first = positions[0]
        try:
            last = (await ticker_fetch(broker=first.broker, symbol=first.symbol))["last"]
        except AristobotError as exc:
            logger.warning("Prix de %s indisponible : %s", first.symbol, exc.message)
            last = None
        for position in positions:
            try:
                results[position.pk] = await self.check_position(position, last)
            except AristobotError as exc:
                results[position.pk] = f"erreur : {exc.message}"
                logger.warning("Position %s : %s", position.pk, exc.message)
            except Exception as exc:  # noqa: BLE001
                results[position.pk] = f"erreur : {exc!r}"
                logger.exception("Position %s : contrôle en échec", position.pk)

    async def check_position(self, position: Position, last: Decimal | None) -> str:
        lease = dt.timedelta(seconds=self.config.close_lease_s)
        if position.closing_since is not None:
            if timezone.now() - position.closing_since < lease:
                return "clôture en cours"
            closed = await position_recover(position_id=position.pk, notifier=self.notifier,
                                            lease_s=self.config.close_lease_s)
            if closed is not None:
                return "clôturée (reprise)"
        ids = protective_ids(position)
        if position.protection_mode == EXCHANGE and ids:
            filled, dead = await protection_status(broker=position.broker, symbol=position.symbol,
                                                   order_ids=ids)
            if filled is not None:
                closed = await position_settle(position_id=position.pk, trade=filled,
                                               notifier=self.notifier, lease_s=self.config.close_lease_s)
                return "clôturée (protection exécutée)" if closed else "clôture en cours"
            if dead:
                logger.warning("Position %s : ordres de protection annulés hors d'Aristobot → surveillés",
                               position.pk)
                position.protection_mode = WATCHED
                position.sl_order_id = position.tp_order_id = position.order_list_id = ""
                await position.asave(update_fields=["protection_mode", "sl_order_id", "tp_order_id",
                                                    "order_list_id", "updated_at"])
        if last is None:
            return "prix indisponible"
        reason = self._breach(position, last)
        if reason:
            closed = await position_close(position_id=position.pk, reason=reason, notifier=self.notifier,
                                          lease_s=self.config.close_lease_s)
            return f"clôturée ({reason})" if closed else "clôture en cours"
        position.last_price, position.unrealized_pnl = last, unrealized(position, last)
        await Position.objects.filter(pk=position.pk, status=Position.Status.OPEN).aupdate(
            last_price=position.last_price, unrealized_pnl=position.unrealized_pnl,
        )
        self.notifier.position(position)
        return "ouverte"

    def _breach(self, position: Position, last: Decimal) -> str:
        """Raison de vendre au marché maintenant (ou chaîne vide)."""
        sl, tp = position.stop_loss_price, position.take_profit_price
        if position.protection_mode == EXCHANGE and protective_ids(position):
            # Le stop-limit posé ne s'exécute plus si le prix est passé sous son prix limite.
            if sl is not None and last < sl * (1 - self.config.stop_limit_slippage):
                return "stop_loss"
            return ""
        if sl is not None and last <= sl:
            return "stop_loss"
        if tp is not None and last >= tp:
            return "take_profit"
        return ""
