"""Repli Docker : `docker compose` avec le docker-compose.yml du dépôt."""

from __future__ import annotations

import shutil
import subprocess
import sys

from .config import ServiceError, info, warn
from .paths import ROOT_DIR

COMPOSE_FILE = ROOT_DIR / "docker-compose.yml"


def docker_engine_available() -> bool:
    """Vrai si `docker info` répond (un moteur tourne) et que `docker compose` existe."""
    if shutil.which("docker") is None:
        return False
    try:
        if subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode != 0:
            return False
        compose = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        return False
    if compose.returncode != 0:
        warn("un moteur Docker tourne mais `docker compose` est absent : serveurs embarqués.")
        return False
    return True


def docker_compose(*args: str, timeout: float = 300) -> None:
    command = ["docker", "compose", "-f", str(COMPOSE_FILE), *args]
    info("$ " + " ".join(command))
    try:
        # stdout → stderr : la sortie standard d'`ensure` ne contient que les lignes export.
        subprocess.run(command, check=True, timeout=timeout, stdout=sys.stderr)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise ServiceError(f"docker compose a échoué : {exc}") from exc
