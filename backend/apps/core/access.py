"""Qui voit quoi : chaque utilisateur ne voit que ses lignes ; `dev` voit tout en mode DEBUG_ARISTOBOT."""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet

from apps.core.exceptions import NotFoundError

M = TypeVar("M", bound=Model)

DEV_USERNAME = "dev"


def user_sees_all(user: Any) -> bool:
    """Vrai pour l'utilisateur `dev` quand DEBUG_ARISTOBOT est actif (accès à toutes les données)."""
    return bool(
        settings.DEBUG_ARISTOBOT
        and getattr(user, "is_authenticated", False)
        and user.get_username() == DEV_USERNAME
    )


def owned(queryset: QuerySet[M], user: Any, *, field: str = "user") -> QuerySet[M]:
    """Restreint un queryset aux lignes de l'utilisateur (sauf `dev` en mode debug)."""
    if user_sees_all(user):
        return queryset
    return queryset.filter(**{field: user})


def owned_get(queryset: QuerySet[M], user: Any, pk: Any, *, label: str = "Objet") -> M:
    """Récupère une ligne de l'utilisateur ou lève une erreur 404 en français."""
    try:
        return owned(queryset, user).get(pk=int(pk))
    except (ValueError, TypeError, queryset.model.DoesNotExist):
        raise NotFoundError(f"{label} introuvable (id {pk}).") from None


def request_ip(request: Any) -> str | None:
    """Adresse du client ; `X-Forwarded-For` n'est cru que venant d'un proxy de confiance
    (ARISTOBOT_WEBHOOK_TRUSTED_PROXIES) : sa dernière entrée, si c'est une adresse valide."""
    import ipaddress

    remote = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if remote and forwarded and remote in set(settings.ARISTOBOT_WEBHOOK_TRUSTED_PROXIES):
        candidate = forwarded.split(",")[-1].strip()
        try:
            ipaddress.ip_address(candidate)
            return candidate
        except ValueError:
            return remote
    return remote
