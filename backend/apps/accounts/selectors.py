"""Lectures des comptes : un utilisateur, la liste des administrateurs avec leur activité."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from apps.accounts.models import User

NO_TRADING = {"live_strategies": 0, "open_positions": 0}


def user_get(*, user_id: Any) -> User | None:
    """L'utilisateur `user_id` (texte de l'URL accepté) ; None s'il n'existe pas ou si l'id est invalide."""
    text = str(user_id)
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        return None
    return User.objects.filter(pk=int(text)).first()


def trading_summary() -> dict[int, dict[str, int]]:
    """Stratégies live et positions ouvertes par utilisateur.

    Fourni par l'app de trading via ARISTOBOT_USER_TRADING_SUMMARY (accounts ne l'importe pas).
    """
    return import_string(settings.ARISTOBOT_USER_TRADING_SUMMARY)()


def users_with_trading() -> list[tuple[User, dict[str, int]]]:
    """Tous les utilisateurs (par nom) avec leurs stratégies live et positions ouvertes."""
    summary = trading_summary()
    return [(user, summary.get(user.pk, NO_TRADING)) for user in User.objects.order_by("username")]
