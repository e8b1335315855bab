"""Réseau : serveur TCP qui répond, attente d'une condition."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

POLL_INTERVAL_S = 0.3


def tcp_connects(host: str, port: int, timeout: float = 2.0) -> bool:
    """Vrai si un serveur accepte une connexion TCP sur host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(check: Callable[[], object], timeout: float, interval: float = POLL_INTERVAL_S) -> bool:
    """Appelle `check` jusqu'à ce qu'il soit vrai ou que `timeout` soit écoulé ; renvoie son verdict."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return bool(check())
