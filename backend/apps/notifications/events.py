"""Événements notifiés par Telegram, appelés par le chemin des ordres et par le moteur.

- `trade_finalized(trade)` : branché dans `apps.trading` par le réglage `ARISTOBOT_TRADE_HOOKS`
  (ordre exécuté, en échec ou au statut inconnu ; manuel, stratégie ou webhook) ;
- `position_closed(...)` : position d'une stratégie clôturée (SL/TP touché, signal, « Vendre ») ;
- `strategy_error(...)` : nouvelle erreur d'une stratégie active.

Chaque fonction ne fait que mettre un message en file (une lecture, une insertion après commit) et
n'échoue jamais : une erreur est journalisée, l'appelant (l'ordre) n'en voit rien.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async

from apps.notifications import texts
from apps.notifications.models import TelegramMessage
from apps.notifications.services import digest, hour_bucket, telegram_enqueue
from apps.strategies.models import Strategy
from apps.trading.models import Trade

logger = logging.getLogger(__name__)

EXECUTED = (Trade.Status.FILLED, Trade.Status.PARTIALLY_FILLED)
FAILED = (Trade.Status.ERROR, Trade.Status.UNKNOWN)
# Sorties des stratégies : la clôture de la position les annonce (avec son P&L).
POSITION_ROLES = (Trade.Role.EXIT, Trade.Role.STOP_LOSS, Trade.Role.TAKE_PROFIT)


async def _safe(what: str, work: Callable[[], Any]) -> None:
    try:
        await sync_to_async(work)()
    except Exception:  # noqa: BLE001 — une notification perdue ne touche jamais l'ordre
        logger.exception("Notification Telegram (%s) non mise en file", what)


def _origin(trade: Trade) -> str:
    if trade.source == Trade.Source.STRATEGY:
        name = Strategy.objects.filter(pk=trade.strategy_id).values_list("name", flat=True).first()
        return f"Stratégie « {name} »" if name else f"Stratégie n° {trade.strategy_id}"
    if trade.source == Trade.Source.WEBHOOK:
        return f"Webhook n° {trade.webhook_id}"
    return "Ordre manuel"


def trade_notifiable(trade: Trade) -> bool:
    if trade.status in EXECUTED:
        return trade.quantity > 0 and not (
            trade.source == Trade.Source.STRATEGY and trade.role in POSITION_ROLES)
    return trade.status in FAILED


def _trade_enqueue(trade: Trade) -> None:
    if trade.status in EXECUTED:
        key = f"trade:{trade.pk}:{trade.status}"
    else:  # une même erreur répétée (solde insuffisant à chaque bougie…) : une fois par heure
        origin = trade.active_strategy_id or trade.webhook_id or 0
        key = (f"order-error:{trade.source}:{origin}:{trade.symbol}:{digest(trade.error_message)}:"
               f"{hour_bucket()}")
    telegram_enqueue(user_id=trade.user_id, kind=TelegramMessage.Kind.ORDER,
                     text=texts.order_text(trade, _origin(trade)), dedup_key=key)


async def trade_finalized(trade: Trade) -> None:
    """Crochet de fin d'ordre (réglage `ARISTOBOT_TRADE_HOOKS`)."""
    if trade_notifiable(trade):
        await _safe("ordre", lambda: _trade_enqueue(trade))


async def position_closed(*, position: Any, trade: Any, reason: str) -> None:
    """Position d'une stratégie clôturée ; `position.active_strategy` donne le nom de la stratégie."""

    def work() -> None:
        strategy = position.active_strategy.strategy.name
        telegram_enqueue(user_id=position.user_id, kind=TelegramMessage.Kind.POSITION,
                         text=texts.position_text(position=position, trade=trade, reason=reason,
                                                  strategy=strategy),
                         dedup_key=f"position:{position.pk}")

    await _safe("position", work)


async def strategy_error(*, active: Any, error: str) -> None:
    """Nouvelle erreur d'une stratégie active (`active.strategy` chargée) ; une fois par heure au plus
    pour un même message."""

    def work() -> None:
        strategy = active.strategy
        telegram_enqueue(
            user_id=active.user_id, kind=TelegramMessage.Kind.STRATEGY_ERROR,
            text=texts.strategy_error_text(strategy=strategy.name, symbol=active.symbol,
                                           timeframe=strategy.timeframe, error=error),
            dedup_key=f"strategy-error:{active.pk}:{digest(error)}:{hour_bucket()}")

    await _safe("erreur de stratégie", work)
