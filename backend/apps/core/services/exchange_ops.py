"""Lectures d'exchange partagées (marché, soldes, bougies) pour le moteur, les webhooks et les ordres.

Toutes passent par le gestionnaire d'instances (`exchange_get`) et la traduction unique des erreurs
(`exchange_call`) : elles lèvent `AristobotError` avec un message français.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from apps.core.numbers import to_decimal
from apps.core.services.ccxt_manager import BrokerLike, exchange_get
from apps.core.services.exchange import market_resolve, markets_ensure
from apps.core.services.exchange_errors import exchange_call
from apps.core.services.ohlcv import ohlcv_fetch

ZERO = Decimal(0)


@dataclass(frozen=True)
class AssetBalance:
    free: Decimal
    total: Decimal


async def market_get(broker: BrokerLike, symbol: str) -> tuple[Any, dict[str, Any]]:
    """(instance CCXT du broker, marché CCXT du symbole)."""
    exchange = await exchange_get(broker=broker)
    await markets_ensure(exchange)
    return exchange, market_resolve(exchange, symbol)


async def _balance(broker: BrokerLike) -> dict[str, Any]:
    exchange = await exchange_get(broker=broker)
    return await exchange_call(exchange, lambda: exchange.fetch_balance(), safe=True)


async def balances_fetch(broker: BrokerLike, assets: tuple[str, ...]) -> dict[str, AssetBalance]:
    """Soldes libre et total des actifs demandés (un seul appel `fetch_balance`, sans valorisation)."""
    balance = await _balance(broker)
    free, total = balance.get("free") or {}, balance.get("total") or {}
    return {
        asset: AssetBalance(to_decimal(free.get(asset)) or ZERO, to_decimal(total.get(asset)) or ZERO)
        for asset in assets
    }


async def balances_all(broker: BrokerLike) -> dict[str, Decimal]:
    """Soldes LIBRES de tous les actifs (un seul appel)."""
    balance = await _balance(broker)
    return {asset: to_decimal(value) or ZERO for asset, value in (balance.get("free") or {}).items()}


async def candles_fetch(broker: BrokerLike, symbol: str, timeframe: str, count: int) -> list[list[Any]]:
    """Les `count` dernières bougies CLÔTURÉES (lignes CCXT) ; 10m construit depuis le 1m.

    Instance publique partagée (son propre limiteur de débit) sauf en testnet, où les données
    viennent du bac à sable du broker.
    """
    exchange = await exchange_get(broker=broker) if broker.is_testnet else None
    minutes = {"m": 1, "h": 60, "d": 1440}[timeframe[-1]] * int(timeframe[:-1])
    now_ms = int(time.time() * 1000)
    since = now_ms - (count + 1) * minutes * 60_000
    rows = await ohlcv_fetch(
        exchange_id=broker.exchange, symbol=symbol, timeframe=timeframe, since_ms=since, exchange=exchange
    )
    return rows[-count:]
