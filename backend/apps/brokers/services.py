"""Services des brokers : CRUD (broker par défaut unique) et orchestration des appels à l'exchange.

Les fonctions d'exchange sont synchrones (appelées par les vues) : elles exécutent les services
asynchrones de `apps.core.services` sur la boucle dédiée du processus (`exchange_loop_run`), qui
possède les instances CCXT partagées. Voir `apps/core/services/exchange_loop.py`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from apps.accounts.models import User
from apps.brokers.models import Broker
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


@transaction.atomic
def broker_create(
    *,
    user: User,
    name: str,
    exchange: str,
    api_key: str,
    api_secret: str,
    password: str = "",
    is_testnet: bool = False,
    is_default: bool = False,
) -> Broker:
    """Crée un broker ; le premier broker d'un utilisateur devient son broker par défaut."""
    _name_check(user_id=user.pk, name=name)
    first = not Broker.objects.filter(user=user).exists()
    broker = Broker(user=user, name=name, exchange=exchange, api_key=api_key,
                    api_secret=api_secret, password=password, is_testnet=is_testnet)
    broker.full_clean()
    broker.save()
    if is_default or first:
        _make_default(broker=broker)
    return broker


@transaction.atomic
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
) -> Broker:
    """Modifie un broker ; une clé laissée vide garde la valeur enregistrée."""
    if isinstance(name, str) and name:
        _name_check(user_id=broker.user_id, name=name, exclude_pk=broker.pk)
    secrets = provided(api_key=api_key, api_secret=api_secret, password=password)
    changes = {
        **provided(name=name, exchange=exchange, is_testnet=is_testnet),
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


def broker_order_cancel(*, broker: Broker, exchange_order_id: str, symbol: str) -> dict[str, Any]:
    """Annule un ordre ouvert (et met à jour son `Trade`)."""
    return exchange_loop_run(
        order_services.order_cancel(broker=broker, exchange_order_id=exchange_order_id, symbol=symbol)
    )


def broker_markets_update(*, broker: Broker, user: Any) -> tuple[MarketSymbolsJob, bool]:
    """« MAJ Paires de trading » : lance (ou rejoint) le chargement des paires de l'exchange du broker."""
    return market_symbols_job_start(exchange_id=broker.exchange, user_id=getattr(user, "pk", None))
