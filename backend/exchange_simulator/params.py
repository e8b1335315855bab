"""Lecture des paramètres de requête et contrôle des filtres Binance (PRICE_FILTER, LOT_SIZE…)."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation

from . import errors
from .symbols import ASSET_PRECISION, SymbolSpec

_NUMBER = re.compile(r"^([0-9]{1,20})(\.[0-9]{1,20})?$")
_INTEGER = re.compile(r"^-?[0-9]{1,20}$")
_CLIENT_ID = re.compile(r"^[a-zA-Z0-9\-_]{1,36}$")


class Params:
    """Paramètres d'une requête (chaîne de requête + corps, la chaîne de requête l'emportant)."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    @classmethod
    def from_pairs(cls, query: list[tuple[str, str]], body: list[tuple[str, str]]) -> Params:
        merged: dict[str, str] = {}
        for source in (query, body):
            seen: set[str] = set()
            for key, value in source:
                if key in seen:
                    raise errors.duplicate_parameter()
                seen.add(key)
                merged.setdefault(key, value)
        return cls(merged)

    def has(self, name: str) -> bool:
        return self.values.get(name, "") != ""

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name, "")
        if value == "":
            if required:
                raise errors.missing_param(name)
            return None
        return value

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        if not _INTEGER.match(value):
            raise errors.illegal_integer(name)
        return int(value)

    def decimal(self, name: str, *, required: bool = False) -> Decimal | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        if not _NUMBER.match(value):
            raise errors.illegal_number(name)
        try:
            number = Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - la regex protège déjà
            raise errors.illegal_number(name) from exc
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > ASSET_PRECISION:
            raise errors.bad_precision()
        return number

    def client_id(self, name: str) -> str | None:
        value = self.text(name)
        if value is not None and not _CLIENT_ID.match(value):
            raise errors.BinanceError(
                -1100,
                f"Illegal characters found in parameter '{name}'; legal range is '^[a-zA-Z0-9-_]{{1,36}}$'.",
            )
        return value

    def limit(self, default: int, maximum: int) -> int:
        value = self.integer("limit")
        if value is None:
            return default
        if value <= 0:
            raise errors.invalid_parameter("limit")
        return min(value, maximum)

    def symbol(self, specs: dict[str, SymbolSpec], *, required: bool = True) -> SymbolSpec | None:
        name = self.text("symbol", required=required)
        if name is None:
            return None
        spec = specs.get(name.upper())
        if spec is None:
            raise errors.invalid_symbol()
        return spec

    def symbol_list(self, specs: dict[str, SymbolSpec]) -> list[SymbolSpec] | None:
        """Paramètre ``symbols=["BTCUSDT","ETHUSDT"]`` (JSON) ; ``None`` s'il est absent."""
        raw = self.text("symbols")
        if raw is None:
            return None
        try:
            names = json.loads(raw)
        except ValueError as exc:
            raise errors.invalid_parameter("symbols") from exc
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise errors.invalid_parameter("symbols")
        result = []
        for name in names:
            if name not in specs:
                raise errors.invalid_symbol()
            result.append(specs[name])
        return result


def _on_grid(value: Decimal, minimum: Decimal, step: Decimal) -> bool:
    return step == 0 or (value - minimum) % step == 0


def check_price(spec: SymbolSpec, price: Decimal) -> None:
    """PRICE_FILTER : bornes et multiple du pas de cotation (aussi appliqué au ``stopPrice``)."""
    out_of_range = price < spec.min_price or price > spec.max_price
    if out_of_range or not _on_grid(price, spec.min_price, spec.tick_size):
        raise errors.filter_failure("PRICE_FILTER")


def check_lot(spec: SymbolSpec, qty: Decimal, *, market: bool) -> None:
    """LOT_SIZE (et MARKET_LOT_SIZE pour un ordre au marché)."""
    if qty < spec.min_qty or qty > spec.max_qty or not _on_grid(qty, spec.min_qty, spec.step_size):
        raise errors.filter_failure("LOT_SIZE")
    if market and qty > spec.market_max_qty:
        raise errors.filter_failure("MARKET_LOT_SIZE")


def check_notional(spec: SymbolSpec, notional: Decimal, *, market: bool) -> None:
    """NOTIONAL : minimum pour tous les ordres, maximum hors ordres au marché."""
    if notional < spec.min_notional or (not market and notional > Decimal("9000000")):
        raise errors.filter_failure("NOTIONAL")


def floor_to_step(value: Decimal, step: Decimal) -> Decimal:
    return (value // step) * step
