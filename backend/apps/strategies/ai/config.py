"""Configuration IA d'un utilisateur : fournisseur, modèle, URL de base et clé (jamais affichée)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from apps.core.exceptions import AristobotError, ConflictError

OPENROUTER = "openrouter"
OLLAMA = "ollama"
PROVIDERS = (OPENROUTER, OLLAMA)
PROVIDER_LABELS = {OPENROUTER: "OpenRouter", OLLAMA: "Ollama"}

AI_DISABLED_MESSAGE = (
    "Assistant IA désactivé : activez OpenRouter ou Ollama dans Mon Compte."
)

#: Champs du profil qu'un test de connexion peut remplacer (valeurs saisies, pas encore enregistrées).
OVERRIDABLE_FIELDS = ("ai_provider", "ai_api_key", "openrouter_model", "ollama_url", "ollama_model")


@dataclass(frozen=True)
class AiConfig:
    """Ce qu'il faut pour parler au fournisseur ; `api_key` est exclue du `repr` (journaux)."""

    provider: str
    model: str
    base_url: str
    api_key: str = field(default="", repr=False)
    timeout: float = 60.0

    @property
    def label(self) -> str:
        return PROVIDER_LABELS[self.provider]

    @property
    def display_url(self) -> str:
        """L'URL de base sans identifiants éventuels (`http://user:pass@hôte` → `http://hôte`)."""
        return safe_url(self.base_url)

    def scrub(self, text: str) -> str:
        """Retire la clé API d'un texte venu du fournisseur avant de l'afficher ou le journaliser."""
        if self.api_key and self.api_key in text:
            text = text.replace(self.api_key, "****")
        return text


def safe_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        parts = parts._replace(netloc=host)
    return urlunsplit(parts).rstrip("/")


def default_timeout() -> float:
    return float(getattr(settings, "ARISTOBOT_AI_TIMEOUT_S", 60.0))


def openrouter_base_url() -> str:
    return str(getattr(settings, "ARISTOBOT_OPENROUTER_URL", "https://openrouter.ai")).rstrip("/")


def ai_config_for(*, user: Any, overrides: Mapping[str, Any] | None = None,
                  timeout: float | None = None) -> AiConfig:
    """Configuration IA de `user`, éventuellement complétée par des valeurs saisies (`overrides`).

    Une clé vide dans `overrides` signifie « garder la clé enregistrée ». Lève `AristobotError`
    (français) si l'assistant est désactivé ou si la configuration est incomplète.
    """
    values = {name: getattr(user, name, "") or "" for name in OVERRIDABLE_FIELDS}
    for name, value in (overrides or {}).items():
        if isinstance(value, str):
            value = value.strip()
        if name in OVERRIDABLE_FIELDS and value not in (None, ""):
            values[name] = value
    provider = values["ai_provider"]
    timeout = default_timeout() if timeout is None else timeout
    if provider not in PROVIDERS:
        raise ConflictError(AI_DISABLED_MESSAGE, code="ai_disabled")
    if provider == OPENROUTER:
        api_key = str(values["ai_api_key"]).strip()
        model = str(values["openrouter_model"]).strip()
        if not api_key:
            raise AristobotError(
                "Aucune clé API OpenRouter enregistrée : ajoutez-la dans Mon Compte.",
                code="ai_config",
            )
        if not model:
            raise AristobotError(
                "Aucun modèle OpenRouter choisi (ex. openai/gpt-4o-mini) : complétez Mon Compte.",
                code="ai_config",
            )
        return AiConfig(OPENROUTER, model, openrouter_base_url(), api_key, timeout)
    base_url = str(values["ollama_url"]).strip().rstrip("/")
    model = str(values["ollama_model"]).strip()
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AristobotError(
            f"URL Ollama invalide « {safe_url(base_url)} » : http://hôte:port attendu "
            "(ex. http://localhost:11434).",
            code="ai_config",
        )
    if not model:
        raise AristobotError(
            "Aucun modèle Ollama choisi (ex. llama3.1) : complétez Mon Compte.", code="ai_config"
        )
    return AiConfig(OLLAMA, model, base_url, "", timeout)
