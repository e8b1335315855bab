"""Réseau : port libre, serveur TCP ou HTTP qui répond, attente d'une condition."""

from __future__ import annotations

import asyncio
import contextlib
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


def port_is_free(host: str, port: int) -> bool:
    """Vrai si le port peut être pris (aucun serveur n'y écoute)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def wait_until(check: Callable[[], object], timeout: float, interval: float = POLL_INTERVAL_S) -> bool:
    """Appelle `check` jusqu'à ce qu'il soit vrai ou que `timeout` soit écoulé ; renvoie son verdict."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return bool(check())


async def http_answers(host: str, port: int) -> bool:
    """Vrai si un serveur HTTP répond (quel que soit le statut)."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(f"GET /api/auth/me/ HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode())
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 5)
        return status.startswith(b"HTTP/")
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
