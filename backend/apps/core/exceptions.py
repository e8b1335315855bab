"""Le type d'erreur unique de l'application : un message technique en français + un statut HTTP."""

from __future__ import annotations

from typing import Any


class AristobotError(Exception):
    """Erreur métier portant un message technique en français.

    Le gestionnaire d'exceptions DRF la transforme en `{"detail": message}` avec `status_code`.
    """

    status_code: int = 400

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        errors: dict[str, list[str]] | None = None,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        self.errors = errors
        self.code = code
        self.extra = extra or {}

    def __str__(self) -> str:
        return self.message


class NotFoundError(AristobotError):
    """Ressource introuvable (ou appartenant à un autre utilisateur)."""

    status_code = 404


class LimitReachedError(AristobotError):
    """Une limite de l'application (5 utilisateurs, 20 stratégies actives) est atteinte."""

    status_code = 409


class ConflictError(AristobotError):
    """L'action contredit l'état actuel des données."""

    status_code = 409


class ThrottledError(AristobotError):
    """Trop de requêtes : 429 avec l'en-tête Retry-After (secondes)."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after + 0.999))
