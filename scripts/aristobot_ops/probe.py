"""Résultat d'une vérification de service, et test TCP d'une URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult

from .net import tcp_connects


@dataclass(frozen=True)
class Probe:
    """Résultat d'une vérification : le service est-il utilisable, joignable, et pourquoi."""

    ok: bool
    reachable: bool
    detail: str = ""


REFUSED = Probe(ok=False, reachable=False, detail="connexion TCP refusée")


def tcp_open(parts: SplitResult, default_port: int, timeout: float = 2.0) -> bool:
    """Vrai si un serveur écoute à l'adresse TCP de l'URL (ou si l'URL n'est pas TCP)."""
    host = parts.hostname
    if not host or host.startswith("/"):
        return True  # socket Unix : on laisse le client essayer
    return tcp_connects(host, parts.port or default_port, timeout)
