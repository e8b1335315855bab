"""Services des brokers : CRUD (broker par défaut unique) et orchestration des appels à l'exchange.

Les fonctions d'exchange sont synchrones (appelées par les vues) : elles exécutent les services
asynchrones de `apps.core.services` sur la boucle dédiée du processus (`exchange_loop_run`), qui
possède les instances CCXT partagées. Voir `apps/core/services/exchange_loop.py`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from apps.accounts.models import User
from apps.brokers.journal import broker_journal_catch_up
from apps.brokers.models import Broker
from apps.brokers.paper.services import (
    DEFAULT_BALANCES,
    paper_account_open,
    paper_assets_check,
    paper_balances_stored,
    paper_reset,
)
from apps.core.exceptions import AristobotError, ConflictError
from apps.core.services import exchange as exchange_services
from apps.core.services.ccxt_manager import (
    ExchangeCredentials,
    exchange_discard_everywhere,
    temporary_exchange,
)
from apps.core.services.exchange_loop import exchange_loop_run
from apps.core.unset import UNSET, Unset, provided
from apps.market_data.models import MarketSymbolsJob
from apps.market_data.services import market_symbols_job_start
from apps.trading.services import orders as order_services


def _make_default(*, broker: Broker) -> None:
    """`Broker.is_default` est la seule source du broker par défaut (un par utilisateur)."""
    Broker.objects.filter(user_id=broker.user_id, is_default=True).exclude(pk=broker.pk).update(
        is_default=False
    )
    broker.is_default = True
    broker.save(update_fields=["is_default", "updated_at"])


def _name_check(*, user_id: int, name: str, exclude_pk: int | None = None) -> None:
    clash = Broker.objects.filter(user_id=user_id, name=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ConflictError(f"Vous avez déjà un broker nommé « {name} ».")


def broker_create(
    *,
    user: User,
    name: str,
    exchange: str,
    api_key: str = "",
    api_secret: str = "",
    password: str = "",
    is_testnet: bool = False,
    is_default: bool = False,
    is_paper: bool = False,
    paper_initial_balances: dict[str, Decimal] | None = None,
) -> Broker:
    """Crée un broker ; le premier broker d'un utilisateur devient son broker par défaut.

    Broker papier : sans clés ni testnet, avec ses soldes de départ (10 000 USDT par défaut), dont
    les actifs doivent être cotés par l'exchange (marchés publics lus avant la transaction)."""
    balances: dict[str, str] = {}
    if is_paper:
        _paper_rules(api_key=api_key, api_secret=api_secret, password=password, is_testnet=is_testnet)
        wanted = DEFAULT_BALANCES if paper_initial_balances is None else paper_initial_balances
        paper_assets_check(exchange_id=exchange, assets=list(wanted))
        balances = paper_balances_stored(wanted)
    elif paper_initial_balances is not None:
        raise AristobotError("Soldes de départ réservés aux brokers papier (« is_paper »: true).",
                             errors={"paper_balances": ["Seul un broker papier a des soldes de départ."]})
    return _broker_insert(
        user=user, is_default=is_default,
        broker=Broker(user=user, name=name, exchange=exchange, api_key=api_key, api_secret=api_secret,
                      password=password, is_testnet=is_testnet, is_paper=is_paper,
                      paper_initial_balances=balances),
    )


def _paper_rules(*, api_key: str = "", api_secret: str = "", password: str = "",
                 is_testnet: bool = False) -> None:
    """Un broker papier n'a ni clés ni testnet : il lit les prix publics réels de l'exchange."""
    errors = {field: ["Un broker papier n'utilise pas de clés API : laissez ce champ vide."]
              for field, value in (("api_key", api_key), ("api_secret", api_secret),
                                   ("password", password)) if value}
    if is_testnet:
        errors["is_testnet"] = ["Un broker papier trade sur les prix publics réels : pas de testnet."]
    if errors:
        raise AristobotError("Données invalides pour un broker papier.", errors=errors)


@transaction.atomic
def _broker_insert(*, user: User, broker: Broker, is_default: bool) -> Broker:
    _name_check(user_id=user.pk, name=broker.name)
    first = not Broker.objects.filter(user=user).exists()
    broker.full_clean()
    broker.save()
    if broker.is_paper:
        paper_account_open(broker=broker)
    if is_default or first:
        _make_default(broker=broker)
    return broker


def broker_update(
    *,
    broker: Broker,
    name: str | Unset = UNSET,
    exchange: str | Unset = UNSET,
    api_key: str | Unset = UNSET,
    api_secret: str | Unset = UNSET,
    password: str | Unset = UNSET,
    is_testnet: bool | Unset = UNSET,
    is_default: bool | Unset = UNSET,
    is_paper: bool | Unset = UNSET,
    paper_initial_balances: dict[str, Decimal] | Unset = UNSET,
) -> Broker:
    """Modifie un broker ; une clé laissée vide garde la valeur enregistrée.

    Le mode papier ne change pas après la création (l'historique et les soldes en dépendent) ;
    les soldes de départ d'un broker papier se modifient (appliqués à la prochaine remise à zéro)."""
    if is_paper is not UNSET and is_paper != broker.is_paper:
        raise AristobotError("Le mode papier d'un broker ne se change pas : créez un autre broker.",
                             errors={"is_paper": ["Fixé à la création du broker."]})
    balances: dict[str, str] | Unset = UNSET
    if broker.is_paper:
        _paper_rules(api_key=api_key or "", api_secret=api_secret or "", password=password or "",
                     is_testnet=is_testnet is True)
        if exchange is not UNSET and exchange != broker.exchange:
            raise AristobotError("L'exchange d'un broker papier ne se change pas : créez un autre broker.",
                                 errors={"exchange": ["Fixé à la création du broker papier."]})
        if isinstance(paper_initial_balances, dict):
            paper_assets_check(exchange_id=broker.exchange, assets=list(paper_initial_balances))
            balances = paper_balances_stored(paper_initial_balances)
    elif paper_initial_balances is not UNSET:
        raise AristobotError("Soldes de départ réservés aux brokers papier.",
                             errors={"paper_balances": ["Seul un broker papier a des soldes de départ."]})
    return _broker_save(broker=broker, name=name, exchange=exchange, is_testnet=is_testnet,
                        is_default=is_default, paper_initial_balances=balances,
                        secrets=provided(api_key=api_key, api_secret=api_secret, password=password))


@transaction.atomic
def _broker_save(*, broker: Broker, name: str | Unset, exchange: str | Unset, is_testnet: bool | Unset,
                 is_default: bool | Unset, paper_initial_balances: dict[str, str] | Unset,
                 secrets: dict[str, str]) -> Broker:
    if isinstance(name, str) and name:
        _name_check(user_id=broker.user_id, name=name, exclude_pk=broker.pk)
    changes = {
        **provided(name=name, exchange=exchange, is_testnet=is_testnet,
                   paper_initial_balances=paper_initial_balances),
        **{field: value for field, value in secrets.items() if value},
    }
    for field, value in changes.items():
        setattr(broker, field, value)
    if is_default is False:
        broker.is_default = False
    broker.full_clean()
    broker.save()
    if is_default is True:
        _make_default(broker=broker)
    return broker


def broker_paper_reset(*, broker: Broker) -> dict[str, Any]:
    """Remet un broker papier à ses soldes de départ (ordres ouverts annulés)."""
    canceled = paper_reset(broker=broker)
    return {"canceled_orders": canceled, "paper_balances": broker.paper_initial_balances}


@transaction.atomic
def broker_delete(*, broker: Broker) -> None:
    """Supprime un broker, refusé s'il porte encore des stratégies actives ou des positions."""
    user_id, broker_id = broker.user_id, broker.pk
    try:
        broker.delete()
        transaction.on_commit(
            lambda: exchange_discard_everywhere(user_id=user_id, broker_id=broker_id)
        )
    except ProtectedError:
        raise AristobotError(
            f"Impossible de supprimer le broker « {broker.name} » : il est utilisé par des "
            "stratégies actives ou des positions. Arrêtez-les et supprimez-les d'abord.",
            status_code=409,
        ) from None


# ----------------------------------------------------------------------------- exchange


def broker_credentials_resolve(
    *,
    exchange: str = "",
    api_key: str = "",
    api_secret: str = "",
    password: str = "",
    is_testnet: bool | None = None,
    broker: Broker | None = None,
) -> ExchangeCredentials:
    """Identifiants à vérifier : ceux saisis, complétés par ceux du broker enregistré si vides."""
    if broker is not None and broker.is_paper:
        raise AristobotError(f"« {broker.name} » est un broker papier : il n'a pas de clés à vérifier.",
                             code="paper_broker")
    if broker is not None:
        exchange = exchange or broker.exchange
        api_key = api_key or broker.api_key
        api_secret = api_secret or broker.api_secret
        password = password or broker.password
        is_testnet = broker.is_testnet if is_testnet is None else is_testnet
    missing = {
        field: ["Ce champ est obligatoire pour vérifier les clés."]
        for field, value in (("exchange", exchange), ("api_key", api_key), ("api_secret", api_secret))
        if not value
    }
    if missing:
        raise AristobotError(
            "Données invalides — clé API, secret et exchange sont nécessaires.", errors=missing
        )
    return ExchangeCredentials(
        exchange_id=exchange, api_key=api_key, api_secret=api_secret, password=password or "",
        is_testnet=bool(is_testnet),
    )


async def _keys_check(credentials: ExchangeCredentials) -> dict[str, Any]:
    async with temporary_exchange(credentials=credentials) as exchange:
        return await exchange_services.balance_fetch_on(exchange)


def broker_keys_check(*, credentials: ExchangeCredentials) -> dict[str, Any]:
    """Vérifie des clés (même non enregistrées) avec une instance jetable : solde non nul valorisé.

    Lève `AristobotError` (« Erreur de connexion à Binance : … ») si l'exchange refuse.
    """
    result = exchange_loop_run(_keys_check(credentials))
    return {"ok": True, **result}


def broker_balance_fetch(*, broker: Broker) -> dict[str, Any]:
    """Solde du broker, valorisé en USD(T), avec le total."""
    return exchange_loop_run(exchange_services.balance_fetch(broker=broker))


def broker_ticker_fetch(*, broker: Broker, symbol: str) -> dict[str, Any]:
    """Dernier prix d'un symbole sur le broker."""
    return exchange_loop_run(exchange_services.ticker_fetch(broker=broker, symbol=symbol))


def broker_open_orders_fetch(*, broker: Broker, symbol: str | None = None) -> list[dict[str, Any]]:
    """Ordres ouverts du broker."""
    return exchange_loop_run(exchange_services.open_orders_fetch(broker=broker, symbol=symbol))


def broker_journal_sync(*, broker: Broker, symbol: str | None = None) -> int:
    """ÉCRIT : rattrape le journal `trades` du broker (et, en papier, exécute les ordres limites que le
    prix a croisés) ; renvoie le nombre de lignes relues (`apps.brokers.journal`)."""
    return exchange_loop_run(broker_journal_catch_up(broker=broker, symbol=symbol))


def broker_order_cancel(*, broker: Broker, exchange_order_id: str, symbol: str) -> dict[str, Any]:
    """Annule un ordre ouvert (et met à jour son `Trade`)."""
    return exchange_loop_run(
        order_services.order_cancel(broker=broker, exchange_order_id=exchange_order_id, symbol=symbol)
    )


def broker_markets_update(*, broker: Broker, user: Any) -> tuple[MarketSymbolsJob, bool]:
    """« MAJ Paires de trading » : lance (ou rejoint) le chargement des paires de l'exchange du broker."""
    return market_symbols_job_start(exchange_id=broker.exchange, user_id=getattr(user, "pk", None))
