"""Services du trading papier : soldes de départ, remise à zéro.

Les ordres limites ouverts sont rapprochés du prix par le rattrapage du journal
(`apps.brokers.journal` : passage minute du moteur, POST de la page Trading manuel)."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction

from apps.brokers.models import Broker
from apps.brokers.paper import ledger
from apps.core.exceptions import AristobotError, ConflictError
from apps.core.numbers import decimal_text
from apps.core.services.ccxt_manager import public_exchange_get
from apps.core.services.exchange import markets_ensure
from apps.core.services.exchange_errors import exchange_display
from apps.core.services.exchange_loop import exchange_loop_run
from apps.trading.models import Trade

logger = logging.getLogger(__name__)

DEFAULT_BALANCES = {"USDT": Decimal("10000")}


def paper_balances_stored(balances: dict[str, Decimal]) -> dict[str, str]:
    """Soldes de départ tels qu'enregistrés sur le broker (JSON : textes exacts)."""
    return {asset: decimal_text(amount) or "0" for asset, amount in sorted(balances.items())}


def paper_balances_initial(broker: Broker) -> dict[str, Decimal]:
    return {asset: Decimal(str(amount)) for asset, amount in (broker.paper_initial_balances or {}).items()}


async def _known_assets(exchange_id: str) -> tuple[str, set[str]]:
    exchange = await public_exchange_get(exchange_id=exchange_id)
    await markets_ensure(exchange)
    assets = set()
    for market in exchange.markets.values():
        if market.get("spot") or market.get("type") == "spot":
            assets.update((market.get("base"), market.get("quote")))
    return exchange_display(exchange), assets - {None, ""}


def paper_assets_check(*, exchange_id: str, assets: list[str]) -> None:
    """Refuse (400) un actif que l'exchange ne cote sur aucun marché spot (marchés publics)."""
    name, known = exchange_loop_run(_known_assets(exchange_id))
    unknown = sorted(set(assets) - known)
    if unknown:
        listed = ", ".join(unknown[:10]) + ("…" if len(unknown) > 10 else "")
        raise AristobotError(
            f"Actif inconnu sur {name} : {listed}.",
            errors={"paper_balances": [f"Actif(s) coté(s) sur aucun marché spot de {name} : {listed}."]},
        )


def paper_account_open(*, broker: Broker) -> None:
    """Soldes de départ d'un broker papier tout juste créé (dans la transaction de création)."""
    ledger.ledger_reset(broker_id=broker.pk, balances=paper_balances_initial(broker))


@transaction.atomic
def paper_reset(*, broker: Broker) -> list[str]:
    """Remet le broker papier à ses soldes de départ : ordres ouverts annulés (leurs lignes `trades`
    aussi), soldes remplacés. Refusé (409) tant qu'une position de stratégie y est ouverte."""
    if not broker.is_paper:
        raise AristobotError(f"« {broker.name} » n'est pas un broker papier : rien à réinitialiser.",
                             code="not_paper")
    if broker.positions.filter(status="open").exists():
        raise ConflictError(
            f"Une position de stratégie est ouverte sur « {broker.name} » : vendez-la (Trading BOT, "
            "« Vendre ») avant de réinitialiser ce broker papier.", code="position_open")
    canceled = ledger.ledger_reset(broker_id=broker.pk, balances=paper_balances_initial(broker))
    if canceled:
        Trade.objects.filter(broker_id=broker.pk, exchange_order_id__in=canceled).filter(
            status__in=(Trade.Status.OPEN, Trade.Status.PARTIALLY_FILLED, Trade.Status.PENDING)
        ).update(status=Trade.Status.CANCELED,
                 error_message="Annulé par la réinitialisation du broker papier.")
    logger.info("Broker papier %s réinitialisé (%d ordre(s) annulé(s))", broker.pk, len(canceled))
    return canceled
