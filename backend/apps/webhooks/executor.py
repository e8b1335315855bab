"""Exécution des webhooks en attente, branchée dans le moteur de trading par le réglage
ARISTOBOT_WEBHOOK_EXECUTOR (le moteur est le processus qui possède les instances CCXT ; il
n'importe pas cette app, et cette app n'importe pas le moteur : configuration et notifications
lui sont passées à la construction).

Réveil par le message `webhook.pending` (groupe `webhooks`, envoyé après commit par
`apps.webhooks.services`) ET relecture de la table toutes les ~5 s et au démarrage : un message
perdu ne perd pas d'ordre. Chaque ligne est prise par `select_for_update(skip_locked=True)` et
passe `pending → processing` dans la même transaction : une alerte = au plus un ordre, même si
la notification et la relecture la voient toutes deux.

Ordre passé par `order_place` (source `webhook`, lié au webhook) :
- `buy`/`sell` : `quantity` (base), `amount` (cotation) ou `percent` — pourcentage du solde libre
  en cotation pour un achat, du solde libre de l'actif de base pour une vente ;
- `close` : vend tout le solde libre de l'actif de base du symbole ;
- `order_type` `market` | `limit` (+ `price`) ; `sl`/`tp` (fractions) après un achat exécuté →
  protections posées sur l'exchange comme pour le moteur (sans position : pas de mode surveillé).
Puis `done` ou `error` (message français), `processed_at`, et `webhook.logged` au groupe de l'utilisateur.
"""

from __future__ import annotations

import asyncio
import logging
import time
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone

from apps.brokers.models import Broker
from apps.core import groups
from apps.core.aio import poll_until
from apps.core.exception_handler import flatten_errors, validation_detail
from apps.core.exceptions import AristobotError
from apps.core.services.exchange_ops import balances_fetch
from apps.trading.models import Trade
from apps.trading.services.order_state import executed, split_symbol
from apps.trading.services.orders import order_place
from apps.trading.services.protection import WATCHED, TradeLinks, protection_place, protection_prices
from apps.webhooks.messages import MSG_WEBHOOK_LOGGED
from apps.webhooks.models import Webhook
from apps.webhooks.payload import WebhookPayloadSerializer
from apps.webhooks.services import (
    MSG_WEBHOOK_PENDING,
    WEBHOOKS_GROUP,
    webhooks_prune,
)

logger = logging.getLogger("aristobot.engine")

BATCH = 10
PRUNE_INTERVAL_S = 3600.0  # effacement des corps bruts trop vieux (ARISTOBOT_WEBHOOK_RETENTION_DAYS)


def _claim(webhook_id: int | None, limit: int) -> list[Webhook]:
    with transaction.atomic():
        rows = Webhook.objects.select_for_update(skip_locked=True).filter(
            status=Webhook.Status.PENDING, user__isnull=False
        )
        if webhook_id is not None:
            rows = rows.filter(pk=webhook_id)
        claimed = list(rows.order_by("received_at")[:limit])
        Webhook.objects.filter(pk__in=[w.pk for w in claimed]).update(status=Webhook.Status.PROCESSING)
    for webhook in claimed:
        webhook.status = Webhook.Status.PROCESSING
    return claimed


class WebhookExecutor:
    """Prend et exécute les webhooks `pending` ; `run()` relit la table à intervalle régulier."""

    #: Groupe Redis et type de message qui réveillent l'exécuteur (abonnés par le moteur).
    group = WEBHOOKS_GROUP
    message_type = MSG_WEBHOOK_PENDING

    def __init__(self, *, config: Any, notifier: Any) -> None:
        """`config` : `webhook_poll_s`, `stop_limit_slippage` ; `notifier` : `user`, `send`, `trade`
        (les objets du moteur, passés par lui)."""
        self.config = config
        self.notifier = notifier
        self.executed = 0
        self._pruned_at = -PRUNE_INTERVAL_S

    async def run(self, stop: asyncio.Event) -> None:
        """Relit les webhooks en attente (ceux dont la notification Redis s'est perdue) et, une
        fois par heure, efface les corps bruts trop anciens."""
        await poll_until(stop, interval_s=self.config.webhook_poll_s, work=self._poll_once,
                         log=logger, failure="Relecture des webhooks en attente en échec")

    async def _poll_once(self) -> None:
        await self.process_pending()
        if time.monotonic() - self._pruned_at >= PRUNE_INTERVAL_S:
            self._pruned_at = time.monotonic()
            pruned = await sync_to_async(webhooks_prune)()
            if pruned:
                logger.info("Webhooks : corps bruts de %d alerte(s) effacés (conservation dépassée)",
                            pruned)

    async def handle_message(self, message: dict[str, Any]) -> None:
        """`webhook.pending` : exécute ce webhook tout de suite (s'il est encore en attente)."""
        webhook_id = message.get("webhook_id")
        if isinstance(webhook_id, int):
            for webhook in await sync_to_async(_claim)(webhook_id, 1):
                await self.execute(webhook)

    async def process_pending(self) -> int:
        count = 0
        while claimed := await sync_to_async(_claim)(None, BATCH):
            await asyncio.gather(*(self.execute(webhook) for webhook in claimed))
            count += len(claimed)
        return count

    async def recover(self) -> int:
        """Démarrage : un webhook resté `processing` (moteur arrêté pendant l'exécution) est repris."""
        count = 0
        async for webhook in Webhook.objects.filter(status=Webhook.Status.PROCESSING):
            trade = await Trade.objects.filter(webhook_id=webhook.pk).order_by("created_at").afirst()
            if trade is None:  # l'ordre n'est jamais parti : on le rejouera
                webhook.status = Webhook.Status.PENDING
                await webhook.asave(update_fields=["status"])
            else:
                ok = trade.status != Trade.Status.ERROR
                await self._finish(webhook, Webhook.Status.DONE if ok else Webhook.Status.ERROR,
                                   trade.error_message or "Exécution reprise après un arrêt du moteur "
                                   f"(ordre {trade.client_order_id} : {trade.get_status_display()}).")
            count += 1
        return count

    async def execute(self, webhook: Webhook) -> None:
        try:
            note = await self._execute(webhook)
            status = Webhook.Status.DONE
        except AristobotError as exc:
            status, note = Webhook.Status.ERROR, exc.message
        except Exception as exc:  # noqa: BLE001 — le webhook est marqué en erreur, le moteur continue
            logger.exception("Webhook %s : erreur interne", webhook.pk)
            status, note = Webhook.Status.ERROR, f"Erreur interne du moteur : {exc!r}"
        self.executed += 1
        await self._finish(webhook, status, note)

    async def _finish(self, webhook: Webhook, status: str, message: str) -> None:
        webhook.status, webhook.error_message = status, message
        webhook.processed, webhook.processed_at = True, timezone.now()
        await webhook.asave(update_fields=["status", "error_message", "processed", "processed_at"])
        logger.info("Webhook %s : %s %s", webhook.pk, status, message)
        self.notifier.user(webhook.user_id, {"type": MSG_WEBHOOK_LOGGED, "webhook_id": webhook.pk,
                                             "status": status})
        self.notifier.send(groups.STATUS, {"type": groups.MSG_STATUS_CHANGED})

    async def _broker(self, user_id: int, wanted: str) -> Broker:
        brokers = Broker.objects.filter(user_id=user_id)
        wanted = (wanted or "").strip()
        if wanted:
            numeric = wanted.isascii() and wanted.isdigit() and len(wanted) <= 18
            broker = await brokers.filter(pk=int(wanted)).afirst() if numeric else None
            broker = broker or await brokers.filter(name__iexact=wanted).afirst()
            if broker is None:
                raise AristobotError(f"Broker « {wanted} » introuvable pour cet utilisateur.")
            return broker
        broker = await brokers.filter(is_default=True).afirst()
        if broker is None:
            raise AristobotError("Aucun broker par défaut : précisez « broker » dans l'alerte ou "
                                 "choisissez un broker par défaut.")
        return broker

    async def _execute(self, webhook: Webhook) -> str:
        serializer = WebhookPayloadSerializer(data=webhook.payload or {})
        if not serializer.is_valid():
            raise AristobotError(validation_detail(flatten_errors(serializer.errors)))
        data = serializer.validated_data
        broker = await self._broker(webhook.user_id, data.get("broker", ""))
        symbol, action = data["symbol"], data["action"]
        base, quote = split_symbol(symbol)
        side = "sell" if action in ("sell", "close") else "buy"
        size: dict[str, Decimal | None] = {
            "quantity": data.get("quantity"), "quote_amount": data.get("amount"),
        }
        if action == "close" or data.get("percent") is not None:
            asset = base if side == "sell" else quote
            free = (await balances_fetch(broker, (asset,)))[asset].free
            share = Decimal(1) if action == "close" else data["percent"] / 100
            if free * share <= 0:
                raise AristobotError(f"Solde {asset} libre nul sur {broker.name} : rien à "
                                     f"{'vendre' if side == 'sell' else 'acheter'}.")
            size = {"quantity": free * share} if side == "sell" else {"quote_amount": free * share}
        trade = await order_place(
            broker=broker, symbol=symbol, side=side, order_type=data["order_type"], price=data.get("price"),
            source=Trade.Source.WEBHOOK, role=Trade.Role.ENTRY if side == "buy" else Trade.Role.EXIT,
            webhook_id=webhook.pk, **size,
        )
        self.notifier.trade(trade)
        if trade.status in (Trade.Status.ERROR, Trade.Status.UNKNOWN):
            raise AristobotError(trade.error_message or f"Ordre au statut {trade.status}.")
        if side != "buy" or not (data.get("sl") or data.get("tp")):
            return ""
        if not executed(trade):
            return "SL/TP non posés : l'ordre d'achat n'est pas encore exécuté."
        quantity = trade.quantity - (trade.fee if trade.fee_asset == base else Decimal(0))
        sl_price, tp_price = protection_prices(trade.price, data.get("sl"), data.get("tp"))
        protection = await protection_place(
            broker=broker, symbol=symbol, quantity=quantity, sl_price=sl_price, tp_price=tp_price,
            links=TradeLinks(source=Trade.Source.WEBHOOK, webhook_id=webhook.pk),
            slippage=self.config.stop_limit_slippage,
        )
        for leg in protection.trades:
            self.notifier.trade(leg)
        if protection.mode == WATCHED:
            return f"Ordre exécuté, mais SL/TP non posés sur l'exchange : {protection.message}"
        return ""
