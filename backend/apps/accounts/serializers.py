"""Sérialiseurs des comptes (jamais de secret en clair dans une réponse)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.accounts.models import User
from apps.accounts.telegram import TelegramPreferencesSerializer, telegram_profile
from apps.core.access import user_sees_all
from apps.core.crypto import mask_secret
from apps.core.validators import drf_validate, validate_api_secret, validate_service_base_url


class UserSerializer(serializers.ModelSerializer):
    is_dev = serializers.SerializerMethodField()
    ai_api_key_hint = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "theme",
            "display_timezone",
            "ai_provider",
            "ai_api_key_hint",
            "openrouter_model",
            "ollama_url",
            "ollama_model",
            "is_dev",
            "is_staff",
        ]
        read_only_fields = fields

    def get_is_dev(self, obj: User) -> bool:
        return user_sees_all(obj)

    def get_ai_api_key_hint(self, obj: User) -> str:
        return mask_secret(obj.ai_api_key)

    def to_representation(self, instance: User) -> dict[str, Any]:
        return {**super().to_representation(instance), **telegram_profile(instance)}


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class PreferencesSerializer(TelegramPreferencesSerializer):
    """Champs modifiables par `PATCH /api/auth/me/` (+ les champs Telegram hérités)."""

    theme = serializers.ChoiceField(choices=User.Theme.choices, required=False)
    display_timezone = serializers.ChoiceField(
        choices=User.DisplayTimezone.choices, required=False
    )
    ai_provider = serializers.ChoiceField(choices=User.AiProvider.choices, required=False)
    ai_api_key = serializers.CharField(
        required=False, allow_blank=True, max_length=500, write_only=True
    )
    openrouter_model = serializers.CharField(required=False, allow_blank=True, max_length=120)
    ollama_url = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                       trim_whitespace=True)
    ollama_model = serializers.CharField(required=False, allow_blank=True, max_length=120)

    def validate_ollama_url(self, value: str) -> str:
        return drf_validate(validate_service_base_url, value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if isinstance(self.initial_data, dict) and "default_broker" in self.initial_data:
            raise serializers.ValidationError({"default_broker": [
                "Le broker par défaut se choisit dans la liste des brokers "
                "(PATCH /api/brokers/<id>/ avec « is_default »)."]})
        return attrs

    def validate_ai_api_key(self, value: str) -> str:
        return drf_validate(validate_api_secret, value)


class PasswordChangeSerializer(serializers.Serializer):
    current_password = serializers.CharField(trim_whitespace=False)
    new_password = serializers.CharField(trim_whitespace=False, max_length=256)


class UserAdminSerializer(serializers.Serializer):
    """Un compte vu par un administrateur (Mon Compte › Utilisateurs)."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    is_staff = serializers.BooleanField()
    is_active = serializers.BooleanField()
    date_joined = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)
    live_strategies = serializers.IntegerField()
    open_positions = serializers.IntegerField()
    is_self = serializers.BooleanField()


class UserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(
        r"^[\w.@+-]+\Z", max_length=150,
        error_messages={"invalid": "Lettres, chiffres et @ . + - _ uniquement, sans espace."})
    password = serializers.CharField(trim_whitespace=False, max_length=256)
    is_staff = serializers.BooleanField(required=False, default=False)


class UserAdminUpdateSerializer(serializers.Serializer):
    is_active = serializers.BooleanField(required=False)
    is_staff = serializers.BooleanField(required=False)


class UserPasswordResetSerializer(serializers.Serializer):
    password = serializers.CharField(trim_whitespace=False, max_length=256)
