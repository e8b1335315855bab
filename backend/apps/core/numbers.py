"""Nombres exacts : lecture d'un nombre venu de l'extérieur, écriture courte d'un décimal."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def to_decimal(value: Any) -> Decimal | None:
    """Convertit un nombre CCXT (float, str) en `Decimal` ; `None` si absent ou illisible."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def decimal_text(value: Decimal | float | int | None) -> str | None:
    """Écriture exacte et courte (« 12.5 », « -3 », « 0 », « 0.00001 »), sans exposant ni zéros
    inutiles ; None si la valeur est absente."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text
