"""Services des brokers : création, modification, suppression (broker par défaut unique)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from apps.accounts.models import User
from apps.brokers.models import Broker
from apps.core.exceptions import AristobotError, ConflictError


def _make_default(*, broker: Broker) -> None:
    Broker.objects.filter(user=broker.user, is_default=True).exclude(pk=broker.pk).update(
        is_default=False
    )
    User.objects.filter(pk=broker.user_id).update(default_broker=broker)


@transaction.atomic
def broker_create(*, user: User, **fields: Any) -> Broker:
    """Crée un broker ; le premier broker d'un utilisateur devient son broker par défaut."""
    if Broker.objects.filter(user=user, name=fields.get("name")).exists():
        raise ConflictError(f"Vous avez déjà un broker nommé « {fields.get('name')} ».")
    first = not Broker.objects.filter(user=user).exists()
    wants_default = bool(fields.pop("is_default", False)) or first
    broker = Broker(user=user, is_default=False, **fields)
    broker.full_clean()
    broker.save()
    if wants_default:
        _make_default(broker=broker)
        broker.is_default = True
        broker.save(update_fields=["is_default"])
    return broker


@transaction.atomic
def broker_update(*, broker: Broker, **fields: Any) -> Broker:
    """Modifie un broker ; une clé laissée vide garde la valeur enregistrée."""
    name = fields.get("name")
    if name and Broker.objects.filter(user=broker.user, name=name).exclude(pk=broker.pk).exists():
        raise ConflictError(f"Vous avez déjà un broker nommé « {name} ».")
    wants_default = fields.pop("is_default", None)
    for secret_field in ("api_key", "api_secret", "password"):
        if secret_field in fields and not fields[secret_field]:
            fields.pop(secret_field)
    for field, value in fields.items():
        setattr(broker, field, value)
    if wants_default is False and broker.is_default:
        broker.is_default = False
        User.objects.filter(pk=broker.user_id, default_broker=broker).update(default_broker=None)
    broker.full_clean()
    broker.save()
    if wants_default:
        _make_default(broker=broker)
        broker.is_default = True
        broker.save(update_fields=["is_default"])
    return broker


@transaction.atomic
def broker_delete(*, broker: Broker) -> None:
    """Supprime un broker, refusé s'il porte encore des stratégies actives ou des positions."""
    try:
        broker.delete()
    except ProtectedError:
        raise AristobotError(
            f"Impossible de supprimer le broker « {broker.name} » : il est utilisé par des "
            "stratégies actives ou des positions. Arrêtez-les et supprimez-les d'abord.",
            status_code=409,
        ) from None
