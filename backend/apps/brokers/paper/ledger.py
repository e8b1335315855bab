"""Le grand livre d'un broker papier : soldes et ordres en base, écrits dans UNE transaction.

Fonctions synchrones (le venue les appelle par `sync_to_async`) ; chacune verrouille la ligne du
broker (`SELECT … FOR UPDATE`) : les opérations d'un même broker papier se font une à la fois, et
un ordre, son exécution et les soldes qu'elle déplace sont écrits ensemble ou pas du tout.

Règles (celles de Binance spot sans BNB, comme le simulateur) :

- achat : coût en cotation débité, quantité reçue nette des frais (frais en actif de base) ;
- vente : quantité débitée, produit reçu net des frais (frais en cotation) ;
- ordre limite ouvert : bloque `quantité × prix limite` (achat) ou la quantité (vente), libérés à
  l'exécution ou à l'annulation ; exécuté au prix limite, frais « maker » ;
- solde insuffisant → `ccxt.InsufficientFunds` avec le message de Binance (traduit ensuite en
  français par la couche exchange, comme pour un vrai compte).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal

import ccxt
from django.db import transaction
from django.utils import timezone

from apps.brokers.models import Broker, PaperBalance, PaperOrder

ZERO = Decimal(0)
QUANTUM = Decimal("1e-12")  # 12 décimales, comme les colonnes
CEILING = Decimal("1e17")  # colonnes à 30 chiffres dont 12 décimales : au-delà, refusé (jamais une 500)
OUT_OF_RANGE = "montant hors des limites du trading papier (10^17 au plus) : ordre refusé."
INSUFFICIENT = "Account has insufficient balance for requested action."
UNKNOWN_ORDER = "Unknown order sent."
MISSING_ORDER = "Order does not exist."


def down(value: Decimal) -> Decimal:
    return value.quantize(QUANTUM, rounding=ROUND_DOWN)


def up(value: Decimal) -> Decimal:
    return value.quantize(QUANTUM, rounding=ROUND_UP)


@dataclass(frozen=True)
class OrderRequest:
    """Un ordre déjà arrondi et contrôlé par le venue (précision, minimums)."""

    symbol: str
    base: str
    quote: str
    side: str  # buy | sell
    order_type: str  # market | limit
    amount: Decimal  # quantité en actif de base
    limit_price: Decimal | None
    client_order_id: str


class _Wallet:
    """Soldes des actifs touchés par une opération (lignes créées au besoin, écrites à la fin)."""

    def __init__(self, broker_id: int, assets: Iterable[str]) -> None:
        wanted = set(assets)
        self.rows = {row.asset: row for row in PaperBalance.objects.filter(broker_id=broker_id,
                                                                           asset__in=wanted)}
        for asset in wanted - set(self.rows):
            self.rows[asset] = PaperBalance(broker_id=broker_id, asset=asset)

    def debit(self, asset: str, amount: Decimal) -> None:
        row = self.rows[asset]
        if row.free < amount:
            raise ccxt.InsufficientFunds(INSUFFICIENT)
        row.free -= amount

    def credit(self, asset: str, amount: Decimal) -> None:
        row = self.rows[asset]
        row.free += amount
        if row.free + row.locked >= CEILING:
            raise ccxt.InvalidOrder(OUT_OF_RANGE)

    def lock(self, asset: str, amount: Decimal) -> None:
        self.debit(asset, amount)
        self.rows[asset].locked += amount

    def release(self, asset: str, amount: Decimal, *, spent: Decimal = ZERO) -> None:
        """Débloque `amount` : `spent` est consommé (exécution), le reste redevient disponible."""
        row = self.rows[asset]
        amount = min(amount, row.locked)
        row.locked -= amount
        row.free += max(amount - spent, ZERO)

    def save(self) -> None:
        for row in self.rows.values():
            if row.pk is not None or row.free or row.locked:  # pas de ligne vide pour un actif non touché
                row.save()


def _lock_broker(broker_id: int) -> None:
    if not Broker.objects.select_for_update().filter(pk=broker_id, is_paper=True).exists():
        raise ccxt.ExchangeError("Broker papier introuvable (supprimé ?).")


def _settle(order: PaperOrder, wallet: _Wallet, base: str, quote: str, price: Decimal) -> None:
    """Exécute entièrement `order` au prix `price` (taux de frais de l'ordre) ; met les soldes à jour."""
    amount = order.amount
    if amount * price >= CEILING:
        raise ccxt.InvalidOrder(OUT_OF_RANGE)
    if order.side == "buy":
        cost = up(amount * price)
        fee, fee_currency = up(amount * order.fee_rate), base
        if order.reserved:
            wallet.release(quote, order.reserved, spent=cost)
        else:
            wallet.debit(quote, cost)
        wallet.credit(base, amount - fee)
    else:
        cost = down(amount * price)
        fee, fee_currency = up(cost * order.fee_rate), quote
        if order.reserved:
            wallet.release(base, order.reserved, spent=amount)
        else:
            wallet.debit(base, amount)
        wallet.credit(quote, cost - fee)
    order.filled, order.average, order.cost = amount, price, cost
    order.fee, order.fee_currency = fee, fee_currency
    order.status, order.filled_at, order.reserved = PaperOrder.Status.CLOSED, timezone.now(), ZERO


def _duplicate_check(broker_id: int, client_order_id: str) -> None:
    if PaperOrder.objects.filter(broker_id=broker_id, client_order_id=client_order_id).exists():
        raise ccxt.InvalidOrder("Duplicate order sent.")


def _new_order(broker_id: int, request: OrderRequest, fee_rate: Decimal) -> PaperOrder:
    if request.amount >= CEILING or (request.limit_price or ZERO) >= CEILING:
        raise ccxt.InvalidOrder(OUT_OF_RANGE)
    return PaperOrder(
        broker_id=broker_id, client_order_id=request.client_order_id, symbol=request.symbol,
        side=request.side, order_type=request.order_type, amount=request.amount,
        price=request.limit_price, fee_rate=fee_rate,
    )


@transaction.atomic
def order_fill(*, broker_id: int, request: OrderRequest, price: Decimal, fee_rate: Decimal) -> PaperOrder:
    """Ordre exécuté aussitôt (marché, ou limite déjà croisé) au prix `price`, frais « taker ».

    Un ordre limite exige le solde au prix limite (comme Binance, qui le bloque d'abord)."""
    _lock_broker(broker_id)
    _duplicate_check(broker_id, request.client_order_id)
    wallet = _Wallet(broker_id, (request.base, request.quote))
    hold = request.limit_price if request.side == "buy" else None
    if hold is not None and wallet.rows[request.quote].free < up(request.amount * hold):
        raise ccxt.InsufficientFunds(INSUFFICIENT)
    order = _new_order(broker_id, request, fee_rate)
    _settle(order, wallet, request.base, request.quote, price)
    wallet.save()
    order.save()
    return order


@transaction.atomic
def order_rest(*, broker_id: int, request: OrderRequest, fee_rate: Decimal) -> PaperOrder:
    """Ordre limite ouvert : le solde nécessaire est bloqué jusqu'à l'exécution ou l'annulation."""
    assert request.limit_price is not None
    _lock_broker(broker_id)
    _duplicate_check(broker_id, request.client_order_id)
    wallet = _Wallet(broker_id, (request.base, request.quote))
    order = _new_order(broker_id, request, fee_rate)
    if request.side == "buy":
        order.reserved_asset, order.reserved = request.quote, up(request.amount * request.limit_price)
    else:
        order.reserved_asset, order.reserved = request.base, request.amount
    wallet.lock(order.reserved_asset, order.reserved)
    wallet.save()
    order.save()
    return order


def _order_find(broker_id: int, *, order_id: str | None, client_order_id: str | None,
                for_update: bool = False) -> PaperOrder | None:
    orders = PaperOrder.objects.filter(broker_id=broker_id)
    if for_update:
        orders = orders.select_for_update()
    if order_id:
        return orders.filter(pk=int(order_id)).first() if str(order_id).isdigit() else None
    if client_order_id:
        return orders.filter(client_order_id=client_order_id).first()
    return None


def order_get(*, broker_id: int, order_id: str | None = None,
              client_order_id: str | None = None) -> PaperOrder:
    order = _order_find(broker_id, order_id=order_id, client_order_id=client_order_id)
    if order is None:
        raise ccxt.OrderNotFound(MISSING_ORDER)
    return order


@transaction.atomic
def order_cancel(*, broker_id: int, order_id: str | None = None,
                 client_order_id: str | None = None) -> PaperOrder:
    """Annule un ordre ouvert (solde bloqué libéré) ; un ordre clos ou inconnu : « Unknown order sent. »."""
    _lock_broker(broker_id)
    order = _order_find(broker_id, order_id=order_id, client_order_id=client_order_id, for_update=True)
    if order is None or order.status != PaperOrder.Status.OPEN:
        raise ccxt.OrderNotFound(UNKNOWN_ORDER)
    wallet = _Wallet(broker_id, (order.reserved_asset,))
    wallet.release(order.reserved_asset, order.reserved)
    wallet.save()
    order.status, order.reserved = PaperOrder.Status.CANCELED, ZERO
    order.save()
    return order


def crossed(order: PaperOrder, *, bid: Decimal | None, ask: Decimal | None) -> bool:
    """Le prix a croisé la limite : vendeur à ≤ limite pour un achat, acheteur à ≥ limite pour une vente."""
    limit = order.price
    if limit is None:
        return False
    if order.side == "buy":
        return ask is not None and ask <= limit
    return bid is not None and bid >= limit


@transaction.atomic
def orders_cross(*, broker_id: int, symbol: str, base: str, quote: str, bid: Decimal | None,
                 ask: Decimal | None) -> list[PaperOrder]:
    """Exécute, au prix limite, les ordres ouverts de `symbol` que le prix (bid/ask) a croisés."""
    _lock_broker(broker_id)
    candidates = [o for o in PaperOrder.objects.select_for_update().filter(
        broker_id=broker_id, symbol=symbol, status=PaperOrder.Status.OPEN) if crossed(o, bid=bid, ask=ask)]
    if not candidates:
        return []
    wallet = _Wallet(broker_id, (base, quote))
    for order in candidates:
        _settle(order, wallet, base, quote, order.price)
        order.save()
    wallet.save()
    return candidates


def orders_list(*, broker_id: int, symbol: str | None = None, status: str | None = None) -> list[PaperOrder]:
    orders = PaperOrder.objects.filter(broker_id=broker_id)
    if symbol:
        orders = orders.filter(symbol=symbol)
    if status:
        orders = orders.filter(status=status)
    return list(orders.order_by("created_at", "pk"))


def open_symbols(*, broker_id: int) -> list[str]:
    """Symboles sur lesquels ce broker a des ordres ouverts (à rapprocher du prix)."""
    return sorted(set(PaperOrder.objects.filter(broker_id=broker_id, status=PaperOrder.Status.OPEN)
                      .values_list("symbol", flat=True)))


def balances_list(*, broker_id: int) -> list[PaperBalance]:
    return list(PaperBalance.objects.filter(broker_id=broker_id))


@transaction.atomic
def ledger_reset(*, broker_id: int, balances: dict[str, Decimal]) -> list[str]:
    """Soldes remis à `balances`, ordres ouverts annulés ; renvoie les identifiants annulés."""
    _lock_broker(broker_id)
    opened = PaperOrder.objects.filter(broker_id=broker_id, status=PaperOrder.Status.OPEN)
    canceled = [str(pk) for pk in opened.values_list("pk", flat=True)]
    opened.update(status=PaperOrder.Status.CANCELED, reserved=ZERO, updated_at=timezone.now())
    PaperBalance.objects.filter(broker_id=broker_id).delete()
    PaperBalance.objects.bulk_create(
        PaperBalance(broker_id=broker_id, asset=asset, free=amount) for asset, amount in balances.items()
        if amount > 0
    )
    return canceled


def timestamp_ms(moment: dt.datetime | None) -> int | None:
    return int(moment.timestamp() * 1000) if moment else None
