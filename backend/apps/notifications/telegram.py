"""Client de l'API Bot de Telegram (httpx) : `sendMessage`, `getMe` ; erreurs traduites en français.

Base : `ARISTOBOT_TELEGRAM_API_URL` (https://api.telegram.org ; un faux serveur local en test).
L'URL d'une méthode contient le jeton (`{base}/bot<jeton>/sendMessage`) : elle n'est jamais
journalisée ni recopiée dans un message, et les exceptions httpx (qui peuvent la contenir) sont
réduites à leur nom de classe, sans chaînage (`from None`).

Réponses de l'API : `{"ok": true, "result": …}` ou `{"ok": false, "error_code": 401,
"description": "Unauthorized"}` ; un 429 porte `parameters.retry_after` (secondes à attendre).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

TIMEOUT_S = 10.0
MAX_TEXT = 4096  # longueur maximale d'un message Telegram
_DESCRIPTION_MAX = 160
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class TelegramError(Exception):
    """Échec d'un appel : `message` en français ; `status` HTTP (None : réseau, délai)."""

    message: str
    status: int | None = None
    retry_after: float | None = None

    def __str__(self) -> str:
        return self.message

    @property
    def permanent(self) -> bool:
        """Refus qu'un nouvel essai ne changera pas (jeton, chat, droits, message refusé)."""
        return self.status is not None and 400 <= self.status < 500 and self.status != 429


def api_base() -> str:
    return str(settings.ARISTOBOT_TELEGRAM_API_URL).rstrip("/")


def _description(data: Any) -> str:
    text = data.get("description") if isinstance(data, dict) else None
    return _CONTROL.sub(" ", str(text or ""))[:_DESCRIPTION_MAX].strip()


def _retry_after(data: Any) -> float | None:
    parameters = data.get("parameters") if isinstance(data, dict) else None
    value = parameters.get("retry_after") if isinstance(parameters, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(min(max(value, 1), 3600))


def _translate(status: int, description: str) -> str:
    """Message français d'un refus de Telegram (sa description d'origine entre guillemets)."""
    lower, quoted = description.lower(), f"« {description} »" if description else f"{status}"
    if status == 401 or "unauthorized" in lower:
        return f"Jeton du bot refusé par Telegram ({quoted}) : vérifiez le jeton donné par @BotFather."
    if status == 404:
        return f"Jeton du bot inconnu de Telegram ({quoted}) : vérifiez le jeton donné par @BotFather."
    if "chat not found" in lower:
        return (f"Chat introuvable ({quoted}) : vérifiez le chat id, et envoyez d'abord /start à "
                "votre bot depuis Telegram.")
    if "blocked by the user" in lower:
        return f"Le bot a été bloqué par le destinataire ({quoted}) : débloquez-le dans Telegram."
    if "can't initiate conversation" in lower or "initiate" in lower:
        return (f"Le bot ne peut pas écrire le premier ({quoted}) : envoyez /start à votre bot "
                "depuis Telegram.")
    if "not enough rights" in lower or "not a member" in lower or "kicked" in lower:
        return (f"Le bot n'a pas le droit d'écrire dans ce chat ({quoted}) : ajoutez-le au groupe "
                "ou comme administrateur du canal.")
    if "deactivated" in lower:
        return f"Le compte Telegram destinataire est désactivé ({quoted})."
    if status >= 500:
        return f"Telegram a répondu {status} (erreur de son côté) : nouvel essai plus tard."
    return f"Telegram a refusé le message ({status} : {quoted})."


def error_from_response(status: int, data: Any) -> TelegramError:
    description = _description(data)
    if status == 429:
        wait = _retry_after(data)
        delay = f"nouvel essai dans {wait:g} s" if wait else "nouvel essai plus tard"
        return TelegramError(f"Telegram limite le débit (« {description or 'Too Many Requests'} ») : "
                             f"{delay}.", status=429, retry_after=wait or 5.0)
    if not isinstance(data, dict):
        return TelegramError(f"Réponse inattendue de Telegram ({status}) : vérifiez "
                             "ARISTOBOT_TELEGRAM_API_URL.", status=status if status >= 400 else 502)
    return TelegramError(_translate(status, description), status=status)


async def call(token: str, method: str, payload: dict[str, Any] | None = None, *,
               client: httpx.AsyncClient | None = None, timeout: float = TIMEOUT_S) -> Any:
    """Appelle une méthode de l'API Bot ; renvoie `result` ou lève `TelegramError`."""
    url = f"{api_base()}/bot{token}/{method}"
    try:
        if client is None:
            async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as own:
                response = await own.post(url, json=payload or {})
        else:
            response = await client.post(url, json=payload or {}, timeout=timeout)
    except httpx.TimeoutException:
        raise TelegramError(f"Délai dépassé en attendant Telegram ({timeout:g} s).") from None
    except Exception as exc:  # noqa: BLE001 — réseau, URL invalide… : seul le nom de classe (l'URL a le jeton)
        raise TelegramError(f"Telegram injoignable à {api_base()} ({type(exc).__name__}) : vérifiez "
                            "la connexion Internet du serveur.") from None
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code == 200 and isinstance(data, dict) and data.get("ok") is True:
        return data.get("result")
    raise error_from_response(response.status_code, data)


def chat_param(chat_id: str) -> int | str:
    """Le chat id tel que l'API l'attend : entier, ou `@canal`."""
    text = chat_id.strip()
    return int(text) if text.lstrip("-").isdigit() else text


async def send_message(token: str, chat_id: str, text: str, *,
                       client: httpx.AsyncClient | None = None) -> Any:
    """`sendMessage` en texte brut (pas de mise en forme : rien à échapper)."""
    body = text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
    payload = {"chat_id": chat_param(chat_id), "text": body, "disable_web_page_preview": True}
    return await call(token, "sendMessage", payload, client=client)


async def get_me(token: str, *, client: httpx.AsyncClient | None = None) -> dict[str, Any]:
    result = await call(token, "getMe", client=client)
    return result if isinstance(result, dict) else {}
