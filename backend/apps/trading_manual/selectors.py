"""Lectures du trading manuel : le broker sur lequel l'utilisateur travaille, l'origine des ordres
ouverts (journal `trades`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from apps.brokers.models import Broker
from apps.core.access import owned_get
from apps.core.exceptions import AristobotError
from apps.strategies.models import Strategy
from apps.trading.models import Trade


def manual_broker_get(*, user: Any, broker_id: Any = None) -> Broker:
    """Le broker demandé (404 s'il n'est pas à l'utilisateur), sinon son broker par défaut.

    Sans broker par défaut enregistré : le seul broker de l'utilisateur s'il n'en a qu'un ;
    sinon une erreur française qui dit quoi faire.
    """
    if broker_id not in (None, ""):
        return owned_get(Broker.objects.all(), user, broker_id, label="Broker")
    mine = Broker.objects.filter(user=user)
    default = mine.filter(is_default=True).first()
    if default is not None:
        return default
    brokers = list(mine[:2])
    if len(brokers) == 1:
        return brokers[0]
    if not brokers:
        raise AristobotError(
            "Aucun broker configuré : ajoutez-en un dans Mon Compte.", code="no_broker"
        )
    raise AristobotError(
        "Aucun broker par défaut : précisez « broker » ou choisissez un broker par défaut dans "
        "Mon Compte.",
        code="no_default_broker",
        errors={"broker": ["Ce champ est obligatoire sans broker par défaut."]},
    )


def order_origins_get(*, broker: Broker, orders: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Origine des ordres ouverts d'après leur ligne `trades` (identifiant d'exchange ou client) :
    `{id d'ordre: {source, role, order_type, strategy_id, strategy_name, active_strategy_id,
    webhook_id}}`. Un ordre passé hors d'Aristobot n'y figure pas.

    Les rôles `stop_loss` / `take_profit` désignent les protections posées par le Trading BOT
    (OCO, stop limite, limite de TP) ou par une alerte webhook.
    """
    ids = {str(o.get("id") or "") for o in orders} - {""}
    client_ids = {str(o.get("client_order_id") or "") for o in orders} - {""}
    if not ids and not client_ids:
        return {}
    rows = list(
        Trade.objects.filter(broker_id=broker.pk, user_id=broker.user_id)
        .filter(Q(exchange_order_id__in=ids) | Q(client_order_id__in=client_ids))
        .values("exchange_order_id", "client_order_id", "source", "role", "order_type", "strategy_id",
                "active_strategy_id", "webhook_id")
    )
    names = dict(Strategy.objects.filter(pk__in={r["strategy_id"] for r in rows if r["strategy_id"]})
                 .values_list("pk", "name"))
    by_exchange = {r["exchange_order_id"]: r for r in rows if r["exchange_order_id"]}
    by_client = {r["client_order_id"]: r for r in rows}
    origins: dict[str, dict[str, Any]] = {}
    for order in orders:
        row = by_exchange.get(str(order.get("id") or "")) or by_client.get(
            str(order.get("client_order_id") or ""))
        if row is None:
            continue
        origins[str(order.get("id") or "")] = {
            "source": row["source"], "role": row["role"], "order_type": row["order_type"],
            "strategy_id": row["strategy_id"], "strategy_name": names.get(row["strategy_id"]),
            "active_strategy_id": row["active_strategy_id"], "webhook_id": row["webhook_id"],
        }
    return origins
