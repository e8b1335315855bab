"""Comptes simulés : clé API, secret et soldes (libre / bloqué) en ``Decimal``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from . import errors

ZERO = Decimal("0")
DEMO_API_KEY = "demo-api-key"
DEMO_API_SECRET = "demo-api-secret"
DEMO_BALANCES: dict[str, str] = {"USDT": "10000", "BTC": "0.5", "ETH": "5"}


@dataclass
class Balance:
    free: Decimal = ZERO
    locked: Decimal = ZERO


@dataclass
class Account:
    """Un compte spot. Toutes les opérations sont synchrones (une seule boucle asyncio)."""

    api_key: str
    api_secret: str
    balances: dict[str, Balance] = field(default_factory=dict)
    update_time: int = 0

    def balance(self, asset: str) -> Balance:
        return self.balances.setdefault(asset, Balance())

    def free(self, asset: str) -> Decimal:
        return self.balance(asset).free

    def lock(self, asset: str, amount: Decimal) -> None:
        """Bloque ``amount`` (refus -2010 si le solde libre ne suffit pas)."""
        bal = self.balance(asset)
        if amount > bal.free:
            raise errors.order_rejected(errors.MSG_INSUFFICIENT_BALANCE)
        bal.free -= amount
        bal.locked += amount

    def unlock(self, asset: str, amount: Decimal) -> None:
        bal = self.balance(asset)
        amount = min(amount, bal.locked)
        bal.locked -= amount
        bal.free += amount

    def debit(self, asset: str, amount: Decimal) -> None:
        """Retire du solde libre (refus -2010 si insuffisant)."""
        bal = self.balance(asset)
        if amount > bal.free:
            raise errors.order_rejected(errors.MSG_INSUFFICIENT_BALANCE)
        bal.free -= amount

    def credit(self, asset: str, amount: Decimal) -> None:
        self.balance(asset).free += amount

    def balance_rows(self, assets: list[str]) -> list[dict[str, str]]:
        """Lignes ``balances`` de ``GET /api/v3/account`` (tous les actifs connus, même à zéro)."""
        names = sorted(set(assets) | set(self.balances))
        rows = []
        for asset in names:
            bal = self.balances.get(asset, Balance())
            rows.append({"asset": asset, "free": f"{bal.free:.8f}", "locked": f"{bal.locked:.8f}"})
        return rows

    def public_view(self, assets: list[str]) -> dict[str, object]:
        """Vue d'administration (sans le secret)."""
        return {"api_key": self.api_key, "balances": self.balance_rows(assets)}


def make_account(api_key: str, api_secret: str, balances: dict[str, object]) -> Account:
    """Crée un compte ; les montants sont convertis en ``Decimal`` (refus s'ils sont négatifs)."""
    account = Account(api_key=api_key, api_secret=api_secret)
    for asset, amount in balances.items():
        value = Decimal(str(amount))
        if value < 0:
            raise ValueError(f"Solde négatif refusé pour {asset}")
        account.balances[str(asset).upper()] = Balance(free=value)
    return account
