"""Jeu de trades fait main pour les statistiques (montants choisis pour des totaux calculables)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from apps.brokers.models import Broker
from apps.strategies.models import Strategy
from apps.trading.models import Trade
from apps.webhooks.models import Webhook

_ids = itertools.count(1)


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    """Un instant de janvier 2026 (UTC)."""
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def make_trade(*, user: Any, broker: Broker | None, when: datetime, executed: bool = True,
               **fields: Any) -> Trade:
    """Crée un trade puis force `created_at` (auto_now_add) et `executed_at` à `when`."""
    fields.setdefault("side", "buy")
    fields.setdefault("symbol", "BTC/USDT")
    fields.setdefault("status", Trade.Status.FILLED)
    for name in ("cost", "fee_quote", "profit_loss"):
        if isinstance(fields.get(name), str):
            fields[name] = Decimal(fields[name])
    for name in ("strategy", "active_strategy", "webhook"):  # origine : identifiant seulement
        if name in fields:
            origin = fields.pop(name)
            fields[f"{name}_id"] = origin.pk if origin is not None else None
    trade = Trade.objects.create(
        user=user, broker_id=broker.pk if broker else None, exchange="binance",
        client_order_id=f"stats-{next(_ids)}", **fields
    )
    Trade.objects.filter(pk=trade.pk).update(created_at=when, executed_at=when if executed else None)
    trade.refresh_from_db()
    return trade


@dataclass
class TradeSet:
    user: Any
    main: Broker
    second: Broker
    rsi: Strategy
    macd: Strategy


def build_trade_set(user: Any) -> TradeSet:
    """Le jeu de référence (voir les totaux attendus dans test_stats_api.py)."""
    main = Broker.objects.create(user=user, name="Principal", exchange="binance", is_default=True)
    second = Broker.objects.create(user=user, name="Secondaire", exchange="binance")
    rsi = Strategy.objects.create(user=user, name="RSI Rebond", code="# rsi")
    macd = Strategy.objects.create(user=user, name="MACD", code="# macd")
    tv = Webhook.objects.create(user=user, source="tradingview", status="done")
    scalp = Webhook.objects.create(user=user, source="tv-scalp", status="done")
    m, s, w = Trade.Source.MANUAL, Trade.Source.STRATEGY, Trade.Source.WEBHOOK
    rows: list[tuple[Broker, datetime, dict[str, Any]]] = [
        # Manuel
        (main, at(5, 10), {"source": m, "cost": "1000", "fee_quote": "1"}),
        (main, at(6, 15), {"source": m, "side": "sell", "cost": "1100", "fee_quote": "1.1",
                           "profit_loss": "98.9"}),
        (main, at(6, 16), {"source": m, "symbol": "ETH/USDT", "status": Trade.Status.ERROR,
                           "error_message": "Solde insuffisant"}),
        (second, at(10, 9), {"source": m, "symbol": "ETH/USDT", "side": "sell", "cost": "500",
                             "fee_quote": "0.5", "profit_loss": "-20.25"}),
        (main, at(12, 9), {"source": m, "status": Trade.Status.PARTIALLY_FILLED, "cost": "50",
                           "fee_quote": "0.05"}),
        # Stratégies
        (main, at(7, 8), {"source": s, "strategy": rsi, "role": "entry", "cost": "200",
                          "fee_quote": "0.2"}),
        (main, at(7, 12), {"source": s, "strategy": rsi, "role": "exit", "side": "sell", "cost": "210",
                           "fee_quote": "0.21", "profit_loss": "9.59"}),
        (main, at(8, 12), {"source": s, "strategy": rsi, "role": "stop_loss", "side": "sell",
                           "cost": "190", "fee_quote": "0.19", "profit_loss": "-10.19"}),
        (second, at(9, 10), {"source": s, "strategy": macd, "role": "exit", "side": "sell",
                             "cost": "300", "fee_quote": "0.3", "profit_loss": "15"}),
        (second, at(9, 11), {"source": s, "strategy": macd, "status": Trade.Status.CANCELED}),
        # Webhooks
        (main, at(8, 9), {"source": w, "webhook": tv, "side": "sell", "cost": "400", "fee_quote": "0.4",
                          "profit_loss": "12.6"}),
        (main, at(8, 9, 30), {"source": w, "webhook": scalp, "status": Trade.Status.ERROR}),
        (main, at(11, 9), {"source": w, "webhook": scalp, "side": "sell", "cost": "150",
                           "fee_quote": "0.15", "profit_loss": "-5"}),
    ]
    for broker, when, fields in rows:
        executed = fields.get("status", Trade.Status.FILLED) != Trade.Status.ERROR
        make_trade(user=user, broker=broker, when=when, executed=executed, **fields)
    return TradeSet(user=user, main=main, second=second, rsi=rsi, macd=macd)
