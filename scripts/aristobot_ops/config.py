"""Configuration des services : environnement, fichier `.env`, URL, messages `[services]`."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from .console import report
from .paths import DOTENV_FILE

TAG = "services"
START_TIMEOUT_S = 60.0


class ServiceError(RuntimeError):
    """Erreur fatale, avec un message en français pour l'utilisateur."""


def info(message: str) -> None:
    report(TAG, message)


def warn(message: str) -> None:
    report(TAG, message, level="ATTENTION")


def error(message: str) -> None:
    report(TAG, message, level="ERREUR")


def read_dotenv(path: Path) -> dict[str, str]:
    """Lit un fichier `.env` simple (CLE=valeur, commentaires #, `export` toléré)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw_line in path.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def configured(name: str, default: str) -> tuple[str, bool]:
    """Valeur d'une variable (environnement, puis `.env`, puis défaut) et si elle est explicite.

    Une valeur égale au défaut (copie de .env.example) ne compte pas comme explicite.
    """
    value = os.environ.get(name) or read_dotenv(DOTENV_FILE).get(name)
    if value:
        return value, value != default
    return default, False


def env_port(name: str, default: int) -> int:
    """Un port configurable (environnement, puis `.env`)."""
    value, _ = configured(name, str(default))
    try:
        return int(value)
    except ValueError as exc:
        raise ServiceError(f"{name} doit être un numéro de port, reçu {value!r}") from exc


def masked(url: str) -> str:
    """L'URL sans son mot de passe, pour les messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def with_path(url: str, path: str) -> str:
    """La même URL avec un autre chemin (nom de base, numéro de base Redis)."""
    return urlunsplit(urlsplit(url)._replace(path=path))


def database_name(url: str) -> str:
    """Le nom de la base d'une URL PostgreSQL (`aristobot` si absent)."""
    return unquote(urlsplit(url).path.lstrip("/")) or "aristobot"
