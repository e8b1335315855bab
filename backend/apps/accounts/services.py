"""Services des comptes : création d'utilisateur (limite de 5), préférences, mot de passe."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts.models import User
from apps.core.exceptions import AristobotError, LimitReachedError

_USER_LIMIT_LOCK = 7_301_001  # verrou consultatif PostgreSQL sérialisant les créations


def _lock_user_creation() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_USER_LIMIT_LOCK])


@transaction.atomic
def user_create(*, username: str, password: str, **fields: Any) -> User:
    """Crée un utilisateur en respectant la limite de l'application (5 utilisateurs)."""
    _lock_user_creation()
    limit = settings.ARISTOBOT_MAX_USERS
    if User.objects.count() >= limit:
        raise LimitReachedError(
            f"Limite atteinte : Aristobot accepte au maximum {limit} utilisateurs."
        )
    if User.objects.filter(username__iexact=username).exists():
        raise AristobotError(f"L'utilisateur « {username} » existe déjà.", status_code=409)
    user = User(username=username, **fields)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_preferences_update(*, user: User, **prefs: Any) -> User:
    """Met à jour les préférences d'affichage / IA déjà validées par le sérialiseur."""
    for field, value in prefs.items():
        setattr(user, field, value)
    user.save(update_fields=[*prefs.keys()] if prefs else None)
    return user


def user_password_change(*, user: User, current_password: str, new_password: str) -> None:
    """Change le mot de passe après vérification de l'actuel et des validateurs Django."""
    if not user.check_password(current_password):
        raise AristobotError(
            "Mot de passe actuel incorrect.", errors={"current_password": ["Incorrect."]}
        )
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        messages = list(exc.messages)
        raise AristobotError(
            "Nouveau mot de passe refusé : " + " ".join(messages),
            errors={"new_password": messages},
        ) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
