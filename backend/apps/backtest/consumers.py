"""`/ws/backtest/<id>/` : progression d'un backtest de l'utilisateur (groupe `backtest_<id>`).

À la connexion, l'état courant lu en base est envoyé (un rechargement de page reprend la
progression) ; ensuite les messages `backtest.progress`, `backtest.done`, `backtest.error` et
`backtest.cancelled` sont relayés tels quels. Backtest d'un autre utilisateur ou inconnu :
fermeture avec le code 4404.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from apps.backtest.messages import backtest_group, snapshot_message
from apps.backtest.models import BacktestResult
from apps.backtest.optimize_messages import optimization_group
from apps.backtest.optimize_services import optimization_snapshot
from apps.backtest.selectors import backtest_get
from apps.core.consumers import AuthenticatedJsonConsumer

CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def _owned_backtest(user: Any, backtest_id: int) -> BacktestResult | None:
    return backtest_get(user=user, backtest_id=backtest_id)


class BacktestConsumer(AuthenticatedJsonConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        self.backtest_id = int(self.scope["url_route"]["kwargs"]["backtest_id"])
        self.backtest: BacktestResult | None = None
        if user is not None and user.is_authenticated:
            self.backtest = await _owned_backtest(user, self.backtest_id)
            if self.backtest is None:
                await self.accept()
                await self.close(code=CLOSE_NOT_FOUND)
                return
        await super().connect()

    def groups_for_user(self, user: Any) -> tuple[str, ...]:
        return (backtest_group(self.backtest_id),)

    async def on_accepted(self) -> None:
        if self.backtest is not None:
            await self.send_json(snapshot_message(self.backtest))

    async def backtest_progress(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def backtest_done(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def backtest_error(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def backtest_cancelled(self, event: dict[str, Any]) -> None:
        await self.send_json(event)


@database_sync_to_async
def _optimization_snapshot(user: Any, optimization_id: int) -> dict[str, Any] | None:
    return optimization_snapshot(user=user, optimization_id=optimization_id)


class OptimizationConsumer(AuthenticatedJsonConsumer):
    """`/ws/backtest-optimization/<id>/` : progression d'une optimisation (groupe
    `optimization_<id>`) ; l'état courant à la connexion, puis les messages `optimization.*`."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.optimization_id = int(self.scope["url_route"]["kwargs"]["optimization_id"])
        self.snapshot: dict[str, Any] | None = None
        if user is not None and user.is_authenticated:
            self.snapshot = await _optimization_snapshot(user, self.optimization_id)
            if self.snapshot is None:
                await self.accept()
                await self.close(code=CLOSE_NOT_FOUND)
                return
        await super().connect()

    def groups_for_user(self, user: Any) -> tuple[str, ...]:
        return (optimization_group(self.optimization_id),)

    async def on_accepted(self) -> None:
        if self.snapshot is not None:
            await self.send_json(self.snapshot)

    async def optimization_progress(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def optimization_done(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def optimization_error(self, event: dict[str, Any]) -> None:
        await self.send_json(event)

    async def optimization_cancelled(self, event: dict[str, Any]) -> None:
        await self.send_json(event)
