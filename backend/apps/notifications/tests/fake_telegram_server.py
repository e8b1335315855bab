"""Faux serveur de l'API Bot de Telegram sur la boucle locale, au vrai format (tests uniquement).

- `POST /bot<jeton>/getMe` → `{"ok": true, "result": {"id", "is_bot": true, "username", …}}` ;
- `POST /bot<jeton>/sendMessage` (JSON `chat_id`, `text`) → `{"ok": true, "result": <Message>}` ;
- jeton inconnu → 401 `{"ok": false, "error_code": 401, "description": "Unauthorized"}` ;
- chat inconnu → 400 `{"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}` ;
- réponses imposées (`queue(...)`, `too_many(retry_after)`) : consommées une par `sendMessage`.

Le serveur aiohttp tourne dans son propre thread (sa propre boucle) : les tests synchrones (vues)
comme asynchrones (moteur) l'appellent par le vrai réseau. Chaque message accepté est enregistré
(`messages`, avec l'instant de réception), chaque requête aussi (`requests`).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 7_000_000_001
#: Jeton accepté par défaut (format de @BotFather : identifiant, deux-points, 35 caractères).
VALID_TOKEN = f"{BOT_ID}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
VALID_CHAT = "123456789"
BOT_USERNAME = "aristobot_test_bot"


def unauthorized() -> tuple[int, dict[str, Any]]:
    return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}


def too_many(retry_after: int) -> tuple[int, dict[str, Any]]:
    return 429, {"ok": False, "error_code": 429,
                 "description": f"Too Many Requests: retry after {retry_after}",
                 "parameters": {"retry_after": retry_after}}


def server_error() -> tuple[int, dict[str, Any]]:
    return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}


@dataclass
class ReceivedMessage:
    chat_id: Any
    text: str
    at: float  # time.monotonic() à la réception


@dataclass
class FakeTelegramServer:
    tokens: set[str] = field(default_factory=lambda: {VALID_TOKEN})
    chats: set[str] = field(default_factory=lambda: {VALID_CHAT, "@aristobot_canal"})
    delay: float = 0.0
    forced: list[tuple[int, Any]] = field(default_factory=list)
    messages: list[ReceivedMessage] = field(default_factory=list)
    requests: list[tuple[str, float]] = field(default_factory=list)  # (méthode, instant)
    url: str = ""

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._ids = itertools.count(1)

    # --- cycle de vie ---------------------------------------------------------------------
    def start(self) -> FakeTelegramServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._astart(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> FakeTelegramServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _astart(self) -> None:
        app = web.Application()
        app.add_routes([web.post("/bot{token}/{method}", self._dispatch)])
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    # --- outils ---------------------------------------------------------------------------
    def queue(self, *responses: tuple[int, Any]) -> None:
        """Réponses imposées aux prochains `sendMessage` (dans l'ordre)."""
        self.forced.extend(responses)

    def texts(self) -> list[str]:
        return [m.text for m in self.messages]

    # --- API Bot ----------------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.requests.append((method, time.monotonic()))
        if self.delay:
            await asyncio.sleep(self.delay)
        if request.match_info["token"] not in self.tokens:
            status, body = unauthorized()
            return web.json_response(body, status=status)
        if method == "getMe":
            return web.json_response({"ok": True, "result": {
                "id": BOT_ID, "is_bot": True, "first_name": "Aristobot test", "username": BOT_USERNAME,
                "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}})
        if method != "sendMessage":
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"},
                                     status=404)
        return await self._send_message(request)

    async def _send_message(self, request: web.Request) -> web.Response:
        if self.forced:
            status, body = self.forced.pop(0)
            return web.json_response(body, status=status)
        body = await request.json()
        chat_id, text = body.get("chat_id"), body.get("text")
        if not text:
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: message text is empty"}, status=400)
        if str(chat_id) not in self.chats:
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: chat not found"}, status=400)
        self.messages.append(ReceivedMessage(chat_id, text, time.monotonic()))
        return web.json_response({"ok": True, "result": {
            "message_id": next(self._ids),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Aristobot test",
                     "username": BOT_USERNAME},
            "chat": {"id": chat_id, "first_name": "Dac", "type": "private"},
            "date": int(time.time()), "text": text}})
