"""Lectures du trading manuel : le broker sur lequel l'utilisateur travaille."""

from __future__ import annotations

from typing import Any

from apps.brokers.models import Broker
from apps.core.access import owned_get
from apps.core.exceptions import AristobotError


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
