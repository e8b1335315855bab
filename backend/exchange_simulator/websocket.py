"""Flux WebSocket de marché au format Binance : ``/ws/<flux>`` (brut) et ``/stream?streams=a/b``
(combiné ``{"stream": …, "data": …}``), méthodes SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS /
SET_PROPERTY / GET_PROPERTY, ping serveur périodique (heartbeat aiohttp), coupure forcée.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .responses import dumps

logger = logging.getLogger("aristobot.simulator")

QUEUE_SIZE = 10_000
METHODS = "SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY"


@dataclass(eq=False)
class Connection:
    """Une connexion cliente : flux abonnés, mode combiné et file d'envoi bornée."""

    ws: web.WebSocketResponse
    combined: bool
    streams: set[str] = field(default_factory=set)
    queue: asyncio.Queue[str | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))

    def push(self, text: str) -> bool:
        """Met un message en file ; faux si le client est trop lent (file pleine)."""
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            return False
        return True


class StreamHub:
    """Gère les connexions WebSocket et la diffusion des messages par nom de flux."""

    def __init__(self, *, heartbeat: float = 20.0, max_connection_seconds: float | None = None) -> None:
        self.heartbeat = heartbeat
        self.max_connection_seconds = max_connection_seconds
        self.connections: set[Connection] = set()
        self.refuse_new = False
        self._tasks: set[asyncio.Task[object]] = set()

    def spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        """Lance une tâche de fond en gardant une référence (sinon elle peut être ramassée)."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ----------------------------------------------------------------- abonnements
    def subscribed_streams(self) -> set[str]:
        return {stream for conn in self.connections for stream in conn.streams}

    def publish(self, stream: str, payload: dict[str, object]) -> None:
        raw_text: str | None = None
        combined_text: str | None = None
        for conn in list(self.connections):
            if stream not in conn.streams:
                continue
            if conn.combined:
                combined_text = combined_text or dumps({"stream": stream, "data": payload})
                ok = conn.push(combined_text)
            else:
                raw_text = raw_text or dumps(payload)
                ok = conn.push(raw_text)
            if not ok:
                logger.warning("Client WebSocket trop lent : connexion fermée")
                self.connections.discard(conn)
                self.spawn(conn.ws.close(code=1008, message=b"Too slow"))

    def broadcast(self, payload: dict[str, object]) -> int:
        """Envoie un même message (non encapsulé) à toutes les connexions."""
        text = dumps(payload)
        for conn in self.connections:
            conn.push(text)
        return len(self.connections)

    async def close_all(self, code: int = 1001, message: bytes = b"Server closing") -> int:
        conns = list(self.connections)
        self.connections.clear()

        async def close_one(conn: Connection) -> None:
            with contextlib.suppress(Exception):
                await conn.ws.close(code=code, message=message)

        await asyncio.gather(*(close_one(conn) for conn in conns))
        return len(conns)

    # ----------------------------------------------------------------- gestionnaire HTTP
    @staticmethod
    def _initial_streams(request: web.Request) -> tuple[bool, set[str]]:
        path = request.path
        if path.startswith("/stream"):
            raw = request.query.get("streams", "")
            return True, {s for s in raw.split("/") if s}
        tail = path[len("/ws") :].strip("/")
        return False, {s for s in tail.split("/") if s}

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.refuse_new:
            return web.Response(status=503, text="Service Unavailable")
        combined, streams = self._initial_streams(request)
        ws = web.WebSocketResponse(heartbeat=self.heartbeat, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws=ws, combined=combined, streams=streams)
        self.connections.add(conn)
        writer = asyncio.get_running_loop().create_task(self._writer(conn))
        limiter = None
        if self.max_connection_seconds:
            limiter = asyncio.get_running_loop().call_later(
                self.max_connection_seconds, lambda: self.spawn(ws.close(code=1001))
            )
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_text(conn, msg.data)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            self.connections.discard(conn)
            if limiter is not None:
                limiter.cancel()
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
        return ws

    async def _writer(self, conn: Connection) -> None:
        while True:
            text = await conn.queue.get()
            if text is None or conn.ws.closed:
                return
            try:
                await conn.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return

    # ----------------------------------------------------------------- méthodes JSON
    def _reply(self, conn: Connection, data: dict[str, object]) -> None:
        conn.push(dumps(data))

    def _error(self, conn: Connection, code: int, msg: str, request_id: object = None) -> None:
        self._reply(conn, {"error": {"code": code, "msg": msg}, "id": request_id})

    def _on_text(self, conn: Connection, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError as exc:
            self._error(conn, 3, f"Invalid JSON: {exc}")
            return
        if not isinstance(message, dict):
            self._error(conn, 2, "Invalid request: expected an object")
            return
        request_id = message.get("id")
        if request_id is not None and (not isinstance(request_id, int) or request_id < 0):
            self._error(conn, 2, "Invalid request: request ID must be an unsigned integer")
            return
        method = message.get("method")
        params = message.get("params", [])
        if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
            if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
                self._error(conn, 2, "Invalid request: params must be a list of strings", request_id)
                return
            if method == "SUBSCRIBE":
                conn.streams.update(params)
            else:
                conn.streams.difference_update(params)
            self._reply(conn, {"result": None, "id": request_id})
        elif method == "LIST_SUBSCRIPTIONS":
            self._reply(conn, {"result": sorted(conn.streams), "id": request_id})
        elif method == "SET_PROPERTY":
            if params and params[0] == "combined" and len(params) == 2 and isinstance(params[1], bool):
                conn.combined = params[1]
                self._reply(conn, {"result": None, "id": request_id})
            else:
                self._error(conn, 0, "Unknown property", request_id)
        elif method == "GET_PROPERTY":
            if params == ["combined"]:
                self._reply(conn, {"result": conn.combined, "id": request_id})
            else:
                self._error(conn, 0, "Unknown property", request_id)
        else:
            detail = f"Invalid request: unknown variant {method}, expected one of {METHODS}"
            self._error(conn, 2, detail, request_id)
