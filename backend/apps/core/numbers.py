"""Nombres exacts : lecture d'un nombre venu de l'extérieur, écriture courte d'un décimal, et
écriture française des nombres cités dans les messages (« 0,5714 USDT », « 12 345,5 »)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# Séparateur des milliers du français (espace fine insécable, comme `Intl.NumberFormat('fr-FR')`
# du frontend) : un nombre ne se coupe jamais en fin de ligne.
THOUSANDS_SEPARATOR = "\u202f"


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


def number_fr(
    value: Decimal | float | int | str | None, *, decimals: int | None = None, min_decimals: int = 0
) -> str:
    """Un nombre tel qu'un message français l'écrit : virgule décimale, milliers séparés par une
    espace fine insécable, sans zéros inutiles (« 0,5714 », « 12 345,5 », « -3 », « 0,00001 »).

    `decimals` : arrondi (au plus proche, 5 vers le haut) à ce nombre de décimales, zéros de fin
    retirés ; sans lui, la valeur exacte. `min_decimals` : au moins ce nombre de décimales (un
    montant en dollars : « 7,50 »). Valeur absente ou illisible : « ? ».
    """
    number = value if isinstance(value, Decimal) else to_decimal(value)
    if number is None or not number.is_finite():
        return "?"
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = decimal_text(number) or "0"
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        whole, tail = whole[:-3], whole[-3:]
        groups.insert(0, tail)
    whole = THOUSANDS_SEPARATOR.join([whole, *groups])
    fraction = fraction.ljust(min_decimals, "0")
    return f"{sign}{whole}{',' + fraction if fraction else ''}"
