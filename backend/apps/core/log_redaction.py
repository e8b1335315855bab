"""Filtre de journalisation : aucun secret dans une ligne de journal.

Branché sur le gestionnaire de la racine (`settings.LOGGING`) : s'applique à toutes les lignes,
de l'application comme des bibliothèques (CCXT, httpx, Daphne), traces d'exception comprises.
Masque : identifiants dans les URL (`https://user:motdepasse@hôte` → `https://***@hôte`),
paramètres de requête sensibles (`signature=`, `apiKey=`, `token=`…), en-têtes
`Authorization: Bearer …`, paires JSON `"secret": "…"`, `"api_key": "…"`… et jetons de bot
Telegram (`123456:ABC…`, y compris dans les URL `/bot<jeton>/sendMessage`).
"""

from __future__ import annotations

import logging
import re

_URL_USERINFO = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.\-]*://)[^/\s@'\"<>]+@")
_QUERY = re.compile(
    r"(?i)([?&;](?:api[_-]?key|apikey|api[_-]?secret|secret|token|access[_-]?token|password|"
    r"passwd|signature|sig|key)=)[^&\s'\"<>]+")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")
_JSON_PAIR = re.compile(
    r"""(?i)(["']?(?:secret|api[_-]?key|api[_-]?secret|ai_api_key|password|passphrase|token|"""
    r"""x-mbx-apikey)["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
# Jeton de bot Telegram : « <identifiant>:<35 caractères> » (la partie secrète est masquée).
_TELEGRAM_TOKEN = re.compile(r"(?<![0-9])([0-9]{3,20}):[A-Za-z0-9_-]{30,}")
MASK = "***"


def redact_text(text: str) -> str:
    """Le texte sans identifiants d'URL, paramètres, jetons ni valeurs de secrets."""
    text = _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    text = _QUERY.sub(lambda m: f"{m.group(1)}{MASK}", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _TELEGRAM_TOKEN.sub(lambda m: f"{m.group(1)}:{MASK}", text)
    return _JSON_PAIR.sub(lambda m: f"{m.group(1)}\"{MASK}\"", text)


class RedactSecretsFilter(logging.Filter):
    """Réécrit le message (et la trace d'exception) de chaque ligne avant sa sortie."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 — message mal formé : laissé au formateur
            return True
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True
