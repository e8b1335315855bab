"""Validateurs partagés."""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError


@functools.lru_cache(maxsize=1)
def ccxt_exchange_ids() -> frozenset[str]:
    """Identifiants des exchanges connus de CCXT (ex. 'binance')."""
    import ccxt

    return frozenset(ccxt.exchanges)


def validate_ccxt_exchange(value: str) -> None:
    if value not in ccxt_exchange_ids():
        raise ValidationError(
            f"Exchange inconnu de CCXT : « {value} ».", code="unknown_exchange"
        )
