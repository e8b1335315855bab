"""Cycle de vie commun des démons : arrêt demandé, tâche en échec, nettoyage dans l'ordre inverse."""

from __future__ import annotations

import asyncio
import os
import signal
from contextlib import AsyncExitStack
from typing import Any

import pytest

from apps.core.daemon import AsyncDaemon, tasks_cancel


class Demo(AsyncDaemon):
    label = "démon de test"

    def __init__(self, *, crash: bool = False) -> None:
        super().__init__()
        self.crash = crash
        self.events: list[str] = []

    async def start(self, stack: AsyncExitStack) -> list[asyncio.Task[Any]]:
        stack.callback(self.events.append, "ressource 1 fermée")
        stack.callback(self.events.append, "ressource 2 fermée")

        async def work() -> None:
            if self.crash:
                raise RuntimeError("panne")
            await asyncio.sleep(3600)

        task = asyncio.create_task(work(), name="demo-travail")
        stack.push_async_callback(tasks_cancel, [task])
        return [task]


async def test_stop_ends_the_daemon_and_cleans_up_in_reverse_order() -> None:
    daemon = Demo()
    serving = asyncio.create_task(daemon.serve(install_signal_handlers=False))
    await asyncio.sleep(0.05)
    daemon.stop()
    await asyncio.wait_for(serving, 5)
    assert not daemon.failed
    assert daemon.events == ["ressource 2 fermée", "ressource 1 fermée"]


async def test_a_crashed_task_stops_the_daemon_and_marks_it_failed(caplog) -> None:  # noqa: ANN001
    daemon = Demo(crash=True)
    await asyncio.wait_for(daemon.serve(install_signal_handlers=False), 5)
    assert daemon.failed
    assert "Tâche demo-travail arrêtée sur erreur" in caplog.text
    assert daemon.events == ["ressource 2 fermée", "ressource 1 fermée"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_sigterm_and_sigint_stop_the_daemon(sig: signal.Signals) -> None:
    daemon = Demo()
    serving = asyncio.create_task(daemon.serve())
    await asyncio.sleep(0.05)
    os.kill(os.getpid(), sig)
    await asyncio.wait_for(serving, 5)
    assert not daemon.failed and daemon.stopping
