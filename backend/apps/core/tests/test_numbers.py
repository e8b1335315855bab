"""Écriture des nombres : exacte pour l'API (`decimal_text`), française pour les messages (`number_fr`)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.core.numbers import THOUSANDS_SEPARATOR as SEP
from apps.core.numbers import decimal_text, number_fr


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("0.5714"), "0,5714"),
    (Decimal("0.57140000"), "0,5714"),
    (Decimal("5"), "5"),
    (Decimal("5.000"), "5"),
    (Decimal("1E+1"), "10"),
    (Decimal("0.00001"), "0,00001"),
    (Decimal("1E-8"), "0,00000001"),
    (Decimal("12345.5"), f"12{SEP}345,5"),
    (Decimal("1234"), f"1{SEP}234"),
    (Decimal("999"), "999"),
    (Decimal("1234567.891"), f"1{SEP}234{SEP}567,891"),
    (Decimal("-3"), "-3"),
    (Decimal("-1234.5"), f"-1{SEP}234,5"),
    (Decimal("-0"), "0"),
    (0.1, "0,1"),
    (60000, f"60{SEP}000"),
    ("0.00166", "0,00166"),
])
def test_number_fr_writes_french_decimals_and_thousands(value, expected) -> None:  # noqa: ANN001
    assert number_fr(value) == expected


def test_number_fr_rounds_to_the_requested_decimals_without_trailing_zeros() -> None:
    assert number_fr(Decimal("7.499"), decimals=2) == "7,5"
    assert number_fr(Decimal("0.125"), decimals=2) == "0,13"
    assert number_fr(Decimal("1999.996"), decimals=2) == f"2{SEP}000"
    assert number_fr(7.5, decimals=2) == "7,5"
    assert number_fr(7.5, decimals=2, min_decimals=2) == "7,50"
    assert number_fr(1234, decimals=2, min_decimals=2) == f"1{SEP}234,00"


@pytest.mark.parametrize("value", [None, "", "abc", float("nan"), Decimal("Infinity")])
def test_number_fr_says_unknown_for_missing_or_unreadable_values(value) -> None:  # noqa: ANN001
    assert number_fr(value) == "?"


def test_decimal_text_stays_the_api_format() -> None:
    assert decimal_text(Decimal("12345.50")) == "12345.5"
    assert decimal_text(None) is None
