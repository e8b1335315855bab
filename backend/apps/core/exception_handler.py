"""Gestionnaire d'exceptions DRF : toute erreur devient `{"detail": "<message en français>"}`."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from apps.core.exceptions import AristobotError

logger = logging.getLogger(__name__)

_FRENCH_DEFAULTS: dict[type[Exception], str] = {
    exceptions.NotAuthenticated: "Authentification requise : connectez-vous.",
    exceptions.AuthenticationFailed: "Authentification refusée.",
    exceptions.PermissionDenied: "Action non autorisée.",
    exceptions.NotFound: "Ressource introuvable.",
    exceptions.MethodNotAllowed: "Méthode HTTP non autorisée.",
    exceptions.NotAcceptable: "Format de réponse demandé non disponible.",
    exceptions.UnsupportedMediaType: "Type de contenu non supporté (JSON attendu).",
    exceptions.Throttled: "Trop de requêtes : réessayez plus tard.",
    exceptions.ParseError: "Corps de requête JSON invalide.",
}


def flatten_errors(data: Any) -> dict[str, list[str]]:
    """Met les erreurs de validation DRF sous la forme {champ: [messages]}."""
    if isinstance(data, dict):
        out: dict[str, list[str]] = {}
        for key, value in data.items():
            if isinstance(value, (list, tuple)):
                msgs: list[str] = []
                for item in value:
                    if isinstance(item, dict):
                        for sub_key, sub_msgs in flatten_errors(item).items():
                            out[f"{key}.{sub_key}"] = sub_msgs
                    else:
                        msgs.append(str(item))
                if msgs:
                    out[str(key)] = msgs
            elif isinstance(value, dict):
                for sub_key, sub_msgs in flatten_errors(value).items():
                    out[f"{key}.{sub_key}"] = sub_msgs
            else:
                out[str(key)] = [str(value)]
        return out
    if isinstance(data, (list, tuple)):
        return {"non_field_errors": [str(item) for item in data]}
    return {"non_field_errors": [str(data)]}


def validation_detail(errors: dict[str, list[str]]) -> str:
    parts = []
    for field, msgs in errors.items():
        label = "" if field in ("non_field_errors", "detail") else f"{field} : "
        parts.append(label + " ".join(msgs))
    return "Données invalides — " + " ; ".join(parts) if parts else "Données invalides."


def aristobot_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Traduit toute exception en réponse JSON `{"detail": ...}` avec le bon statut."""
    if isinstance(exc, AristobotError):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.errors:
            body["errors"] = exc.errors
        if exc.code:
            body["code"] = exc.code
        body.update(exc.extra)
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return Response(body, status=exc.status_code, headers=headers)
    if isinstance(exc, DjangoValidationError):
        errors = (
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"non_field_errors": [str(m) for m in exc.messages]}
        )
        return Response(
            {"detail": validation_detail(errors), "errors": errors},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        return Response({"detail": "Ressource introuvable."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return Response({"detail": "Action non autorisée."}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DataError):  # entier hors limites, caractère refusé par la base…
        logger.warning("Valeur refusée par la base : %s", str(exc).splitlines()[0][:200])
        return Response({"detail": "Valeur refusée : hors limites ou invalide (nombre trop grand, "
                                   "caractère interdit…)."}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        logger.warning("Contrainte d'intégrité violée : %s", exc)
        return Response(
            {"detail": "Conflit avec des données existantes (contrainte d'unicité ou de lien)."},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        return Response(
            {"detail": validation_detail(errors), "errors": errors},
            status=exc.status_code,
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        message = _FRENCH_DEFAULTS.get(type(exc))
        detail = getattr(exc, "detail", None)
        if isinstance(exc, exceptions.PermissionDenied) and detail \
                and str(detail) != str(exceptions.PermissionDenied.default_detail) \
                and "CSRF" not in str(detail):
            message = str(detail)  # message français d'une permission de l'application
        if isinstance(exc, exceptions.PermissionDenied) and "CSRF" in str(detail):
            message = "Jeton CSRF manquant ou invalide : rechargez la page."
        if isinstance(exc, exceptions.ParseError):
            message = f"Corps de requête JSON invalide : {detail}"
        if message is None:
            message = str(detail) if detail else "Erreur."
        response.data = {"detail": message}
    return response
