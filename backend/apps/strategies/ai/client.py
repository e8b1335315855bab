"""Appels HTTP asynchrones (httpx) vers OpenRouter ou Ollama, erreurs traduites en français.

- OpenRouter : API compatible OpenAI, `POST {base}/api/v1/chat/completions`,
  `Authorization: Bearer <clé>` ; test : `GET /api/v1/key` (clé) puis `GET /api/v1/models`.
- Ollama : `POST {url}/api/chat` avec `stream: false` ; test : `GET {url}/api/tags`.

Toute erreur devient une `AristobotError` : 502 (fournisseur injoignable, clé refusée, réponse
illisible…) ou 504 (délai dépassé). La clé n'apparaît jamais dans un message ni un journal.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

from apps.core.exceptions import AristobotError
from apps.core.numbers import number_fr
from apps.strategies.ai.config import OLLAMA, OPENROUTER, AiConfig

logger = logging.getLogger(__name__)

OPENROUTER_CHAT_PATH = "/api/v1/chat/completions"
OPENROUTER_KEY_PATH = "/api/v1/key"
OPENROUTER_MODELS_PATH = "/api/v1/models"
OLLAMA_CHAT_PATH = "/api/chat"
OLLAMA_TAGS_PATH = "/api/tags"
TEMPERATURE = 0.2
_MAX_PROVIDER_MESSAGE = 240


@dataclass(frozen=True)
class ChatResult:
    text: str
    model: str
    duration_s: float


class AiProviderError(AristobotError):
    """Le fournisseur d'IA a échoué (passerelle : 502 ; délai : 504)."""

    status_code = 502


def _headers(config: AiConfig) -> dict[str, str]:
    headers = {"Accept": "application/json"}
    if config.provider == OPENROUTER:
        headers["Authorization"] = f"Bearer {config.api_key}"
        headers["X-Title"] = "Aristobot"
    return headers


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _http_error(config: AiConfig, response: httpx.Response, path: str) -> AiProviderError:
    status = response.status_code
    label, model = config.label, config.model
    # Le corps de la réponse n'est jamais recopié dans le message (ni la clé, ni une page d'un
    # service interne joint par erreur) : seul le statut HTTP est interprété.
    suffix = ""
    if status in (401, 403) and config.provider == OPENROUTER:
        text = f"OpenRouter a refusé la clé API ({status}) : vérifiez-la dans Mon Compte."
    elif status in (401, 403):
        text = f"Ollama a refusé l'accès ({status}) à {config.display_url}."
    elif status == 402:
        text = ("OpenRouter : crédits insuffisants (402) — rechargez votre compte OpenRouter "
                "ou choisissez un modèle gratuit.")
    elif status == 404 and path in (OLLAMA_CHAT_PATH, OPENROUTER_CHAT_PATH):
        hint = f" : lancez « ollama pull {model} »" if config.provider == OLLAMA else (
            " : vérifiez son identifiant dans Mon Compte (ex. openai/gpt-4o-mini)")
        text = f"{label} ne connaît pas le modèle « {model} » (404){hint}."
    elif status == 404:
        text = (f"{config.display_url} ne répond pas comme un serveur {label} "
                f"(404 sur {path}) : vérifiez l'URL.")
    elif status == 429:
        text = f"{label} : trop de requêtes (429), réessayez dans un instant."
    elif status >= 500:
        text = f"{label} a répondu {status} (erreur côté fournisseur), réessayez plus tard."
    else:
        text = f"{label} a refusé la requête ({status})."
    return AiProviderError(text + suffix, code="ai_provider_error",
                           extra={"provider_status": status})


async def _call(config: AiConfig, method: str, path: str, *, body: dict[str, Any] | None = None,
                timeout: float | None = None) -> Any:
    """Une requête JSON vers le fournisseur ; renvoie le corps décodé ou lève `AiProviderError`."""
    seconds = config.timeout if timeout is None else timeout
    url = config.base_url + path
    try:
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(seconds, connect=min(10.0, seconds)), follow_redirects=False
        ) as client:
            response = await client.request(method, url, json=body, headers=_headers(config))
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        if config.provider == OLLAMA:
            text = (f"Ollama injoignable à {config.display_url} : vérifiez que le serveur tourne "
                    "(ollama serve) et l'URL dans Mon Compte.")
        else:
            text = f"OpenRouter injoignable ({config.display_url}) : vérifiez la connexion Internet."
        logger.warning("IA %s injoignable (%s) : %s", config.label, config.display_url,
                       type(exc).__name__)
        raise AiProviderError(text, code="ai_unreachable") from None
    except httpx.TimeoutException:
        logger.warning("IA %s : délai de %g s dépassé sur %s", config.label, seconds, path)
        raise AiProviderError(
            f"Délai dépassé en attendant l'IA ({config.label}, {seconds:g} s) : réessayez, "
            "simplifiez la demande ou choisissez un modèle plus rapide.",
            status_code=504, code="ai_timeout",
        ) from None
    except httpx.HTTPError as exc:
        logger.warning("IA %s : échange interrompu (%s)", config.label, type(exc).__name__)
        raise AiProviderError(
            f"Échange interrompu avec {config.label} ({type(exc).__name__}) : réessayez.",
            code="ai_unreachable",
        ) from None
    if response.status_code >= 400:
        error = _http_error(config, response, path)
        logger.warning("IA %s : %s", config.label, error.message)
        raise error
    data = _json_or_none(response)
    if data is None:
        raise _bad_answer(config, "corps JSON illisible")
    if isinstance(data, dict) and data.get("error"):
        # OpenRouter peut répondre 200 avec une erreur du fournisseur en aval (non recopiée).
        raise AiProviderError(f"{config.label} a renvoyé une erreur pour le modèle « {config.model} » "
                              "(réponse du fournisseur non affichée) : réessayez ou changez de "
                              "modèle.", code="ai_provider_error")
    return data


def _bad_answer(config: AiConfig, why: str) -> AiProviderError:
    return AiProviderError(f"Réponse inattendue de {config.label} : {why}.", code="ai_bad_answer")


def _content_text(content: Any) -> str:
    """`content` est une chaîne, ou une liste de parties `{"type": "text", "text": …}`."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


async def chat(config: AiConfig, messages: list[dict[str, str]]) -> ChatResult:
    """Envoie la conversation et renvoie le texte de la réponse du modèle."""
    started = time.monotonic()
    if config.provider == OPENROUTER:
        body = {"model": config.model, "messages": messages, "temperature": TEMPERATURE}
        data = await _call(config, "POST", OPENROUTER_CHAT_PATH, body=body)
        try:
            message = data["choices"][0]["message"]
        except (KeyError, IndexError, TypeError):
            raise _bad_answer(config, "aucun choix dans la réponse") from None
    else:
        body = {"model": config.model, "messages": messages, "stream": False,
                "options": {"temperature": TEMPERATURE}}
        data = await _call(config, "POST", OLLAMA_CHAT_PATH, body=body)
        message = data.get("message") if isinstance(data, dict) else None
    text = _content_text(message.get("content") if isinstance(message, dict) else None)
    if not text.strip():
        raise _bad_answer(config, "réponse vide")
    model = str(data.get("model") or config.model)
    duration = time.monotonic() - started
    logger.info("IA %s (%s) : réponse de %d caractères en %.1f s", config.label, model,
                len(text), duration)
    return ChatResult(text=text, model=model, duration_s=duration)


def _items(body: Any, key: str) -> list[dict[str, Any]]:
    """La liste `body[key]` (objets seulement), vide si le corps n'a pas cette forme."""
    items = body.get(key) if isinstance(body, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _ollama_has_model(names: list[str], model: str) -> bool:
    wanted = model if ":" in model else f"{model}:latest"
    return model in names or wanted in names


async def check(config: AiConfig) -> str:
    """Vérifie la connexion et le modèle ; renvoie un message de succès en français."""
    if config.provider == OPENROUTER:
        key_info = await _call(config, "GET", OPENROUTER_KEY_PATH)
        models = await _call(config, "GET", OPENROUTER_MODELS_PATH)
        ids = [m.get("id") for m in _items(models, "data")]
        if config.model not in ids:
            raise AiProviderError(
                f"Clé OpenRouter valide, mais le modèle « {config.model} » est inconnu "
                "d'OpenRouter : vérifiez son identifiant (ex. openai/gpt-4o-mini).",
                code="ai_model_missing",
            )
        detail = f"Connexion OpenRouter réussie : clé valide, modèle « {config.model} » disponible."
        key_data = key_info.get("data") if isinstance(key_info, dict) else None
        remaining = key_data.get("limit_remaining") if isinstance(key_data, dict) else None
        if isinstance(remaining, (int, float)):
            detail += f" Crédit restant : {number_fr(remaining, decimals=2, min_decimals=2)} $."
        return detail
    tags = await _call(config, "GET", OLLAMA_TAGS_PATH)
    names = [str(m.get("name")) for m in _items(tags, "models")]
    if not _ollama_has_model(names, config.model):
        present = ", ".join(names[:8]) or "aucun"
        raise AiProviderError(
            f"Ollama répond à {config.display_url}, mais le modèle « {config.model} » n'est pas "
            f"installé : lancez « ollama pull {config.model} ». Modèles présents : {present}.",
            code="ai_model_missing",
        )
    return (f"Connexion Ollama réussie ({config.display_url}) : modèle « {config.model} » présent "
            f"({len(names)} modèle(s) installé(s)).")
