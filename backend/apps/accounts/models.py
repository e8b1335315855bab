"""Utilisateur d'Aristobot : modèle Django étendu (IA, affichage, Telegram)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from apps.core.fields import EncryptedTextField


class User(AbstractUser):
    """Utilisateur (5 au maximum, voir `accounts.services.user_create`)."""

    class AiProvider(models.TextChoices):
        NONE = "none", "Aucun"
        OPENROUTER = "openrouter", "OpenRouter"
        OLLAMA = "ollama", "Ollama"

    class Theme(models.TextChoices):
        DARK = "dark", "Sombre (néon)"
        LIGHT = "light", "Clair"

    class DisplayTimezone(models.TextChoices):
        UTC = "UTC", "UTC"
        LOCAL = "local", "Fuseau local du navigateur"

    ai_provider = models.CharField(
        max_length=12, choices=AiProvider.choices, default=AiProvider.NONE
    )
    ai_api_key = EncryptedTextField(blank=True, default="", help_text="Clé OpenRouter (chiffrée)")
    openrouter_model = models.CharField(max_length=120, blank=True, default="openai/gpt-4o-mini")
    ollama_url = models.URLField(blank=True, default="http://localhost:11434")
    ollama_model = models.CharField(max_length=120, blank=True, default="llama3.1")
    theme = models.CharField(max_length=5, choices=Theme.choices, default=Theme.DARK)
    display_timezone = models.CharField(
        max_length=40, choices=DisplayTimezone.choices, default=DisplayTimezone.UTC
    )
    # Notifications Telegram (envoyées par l'app `notifications`, jamais depuis le chemin des ordres).
    telegram_bot_token = EncryptedTextField(blank=True, default="", help_text="Jeton du bot (chiffré)")
    telegram_chat_id = models.CharField(max_length=64, blank=True, default="")
    telegram_enabled = models.BooleanField(default=False)
    telegram_summary_time = models.CharField(
        max_length=5, blank=True, default="20:00", help_text="Heure du résumé quotidien (HH:MM, vide : aucun)"
    )
    telegram_timezone = models.CharField(max_length=64, default="UTC", help_text="Fuseau du résumé (IANA)")

    class Meta:
        db_table = "users"
        verbose_name = "utilisateur"
