"""Sérialiseurs des comptes (jamais de secret en clair dans une réponse)."""

from __future__ import annotations

from rest_framework import serializers

from apps.accounts.models import User
from apps.core.access import user_sees_all
from apps.core.crypto import mask_secret


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
            "default_broker",
            "ai_provider",
            "ai_api_key_hint",
            "openrouter_model",
            "ollama_url",
            "ollama_model",
            "is_dev",
        ]
        read_only_fields = fields

    def get_is_dev(self, obj: User) -> bool:
        return user_sees_all(obj)

    def get_ai_api_key_hint(self, obj: User) -> str:
        return mask_secret(obj.ai_api_key)


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class PreferencesSerializer(serializers.Serializer):
    """Champs modifiables par `PATCH /api/auth/me/`."""

    theme = serializers.ChoiceField(choices=User.Theme.choices, required=False)
    display_timezone = serializers.ChoiceField(
        choices=User.DisplayTimezone.choices, required=False
    )
    default_broker = serializers.IntegerField(required=False, allow_null=True)
    ai_provider = serializers.ChoiceField(choices=User.AiProvider.choices, required=False)
    ai_api_key = serializers.CharField(
        required=False, allow_blank=True, max_length=500, write_only=True
    )
    openrouter_model = serializers.CharField(required=False, allow_blank=True, max_length=120)
    ollama_url = serializers.URLField(required=False, allow_blank=True)
    ollama_model = serializers.CharField(required=False, allow_blank=True, max_length=120)


class PasswordChangeSerializer(serializers.Serializer):
    current_password = serializers.CharField(trim_whitespace=False)
    new_password = serializers.CharField(trim_whitespace=False, max_length=256)
