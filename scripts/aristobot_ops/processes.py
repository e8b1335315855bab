"""Processus supervisés : description, état, signaux, libellé de fin."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessSpec:
    """Un processus à superviser : son étiquette et sa ligne de commande."""

    name: str
    argv: list[str]


@dataclass
class Child:
    """État courant d'un processus supervisé."""

    spec: ProcessSpec
    process: asyncio.subprocess.Process | None = None
    restarts: int = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None


def death_signal_preexec() -> Callable[[], None] | None:
    """Sous Linux : l'enfant reçoit SIGTERM si le superviseur meurt (prctl PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return preexec


def signal_groups(children: Iterable[Child], sig: signal.Signals) -> None:
    """Envoie `sig` au groupe de chaque processus vivant (il a sa propre session)."""
    for child in children:
        if child.running and child.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.process.pid, sig)


def describe_exit(code: int) -> str:
    """« code de sortie N » ou « tué par SIGxxx »."""
    if code < 0:
        try:
            return f"tué par {signal.Signals(-code).name}"
        except ValueError:
            return f"tué par le signal {-code}"
    return f"code de sortie {code}"
