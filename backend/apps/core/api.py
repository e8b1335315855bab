"""Briques DRF communes : champ de relation limité au propriétaire, viewset « à moi »."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers, viewsets

from apps.core.access import owned, user_sees_all


class OwnedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Relation vers une ligne de l'utilisateur courant : l'id d'un autre utilisateur est « introuvable »."""

    default_error_messages = {
        "required": "Ce champ est obligatoire.",
        "does_not_exist": "Objet introuvable (id {pk_value}).",
        "incorrect_type": "Identifiant invalide : entier attendu, reçu {data_type}.",
    }

    def get_queryset(self) -> models.QuerySet:
        request = self.context.get("request")
        queryset = super().get_queryset()
        if request is None:
            return queryset.none()
        return owned(queryset, request.user)


class OwnedModelViewSet(viewsets.ModelViewSet):
    """ViewSet dont le queryset est restreint aux lignes de l'utilisateur (tout pour `dev` en debug)."""

    owner_field = "user"

    def get_queryset(self) -> models.QuerySet:
        return owned(self.queryset.all(), self.request.user, field=self.owner_field)

    def owner_for_create(self) -> Any:
        return self.request.user

    @property
    def sees_all(self) -> bool:
        return user_sees_all(self.request.user)
