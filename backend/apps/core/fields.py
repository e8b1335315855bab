"""Champ de modèle chiffré au repos (Fernet, clé dérivée de SECRET_KEY)."""

from __future__ import annotations

from typing import Any

from django.db import models

from apps.core.crypto import decrypt_str, encrypt_str


class EncryptedTextField(models.TextField):
    """Texte chiffré en base, en clair en mémoire. Jamais filtrable ni indexable."""

    description = "Texte chiffré (Fernet)"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        if value is None:
            return ""
        return decrypt_str(value)

    def to_python(self, value: Any) -> str:
        return "" if value is None else str(value)

    def get_prep_value(self, value: Any) -> str:
        value = super().get_prep_value(value)
        return encrypt_str(value or "")
