"""Faux fournisseurs d'IA sur la boucle locale, parlant les vrais protocoles (tests uniquement).

- OpenRouter (API compatible OpenAI) : `POST /api/v1/chat/completions`, `GET /api/v1/key`,
  `GET /api/v1/models`, clé `Authorization: Bearer …` vérifiée, erreurs `{"error": {…}}` ;
- Ollama : `POST /api/chat` (`stream: false` exigé), `GET /api/tags`, erreurs `{"error": "…"}`.

Le serveur aiohttp tourne dans son propre thread (sa propre boucle) : les tests Django,
synchrones, l'appellent par le vrai réseau. Chaque requête reçue est enregistrée (`requests`).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

#: Clé OpenRouter acceptée par défaut par le faux serveur.
VALID_KEY = "sk-or-v1-valide"


def closed_port_url() -> str:
    """Une URL locale où rien n'écoute (port libéré aussitôt réservé)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


EMA_ANSWER = '''Voici une stratégie de croisement EMA 10 / EMA 20 avec un stop à 2 %.

```python
import pandas_ta as ta

class CroisementEma(Strategy):
    def __init__(self, candles, balance, position=None):
        self.candles = candles
        self.balance = balance
        self.position = position
        self.candles["ema10"] = ta.ema(self.candles["close"], length=10)
        self.candles["ema20"] = ta.ema(self.candles["close"], length=20)

    def should_long(self) -> bool:
        if len(self.candles) < 21:
            return False
        prev, now = self.candles.iloc[-2], self.candles.iloc[-1]
        return bool(prev["ema10"] < prev["ema20"] and now["ema10"] > now["ema20"])

    def calculate_position_size(self) -> float:
        return self.balance * 0.1

    def calculate_stop_loss(self) -> float:
        return 0.02
```

La taille de position vaut 10 % du solde.'''


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeAiServer:
    """Un faux OpenRouter + Ollama ; modifier ses attributs règle son comportement."""

    openrouter_keys: set[str] = field(default_factory=lambda: {VALID_KEY})
    openrouter_models: set[str] = field(default_factory=lambda: {"openai/gpt-4o-mini"})
    ollama_models: list[str] = field(default_factory=lambda: ["llama3.1:latest"])
    #: Texte renvoyé par le modèle, ou fonction (corps de la requête) -> texte.
    answer: str | Callable[[dict[str, Any]], str] = EMA_ANSWER
    delay: float = 0.0
    #: Si défini, toute requête reçoit ce statut et ce corps (erreurs du fournisseur).
    force_status: int | None = None
    force_body: Any = None
    requests: list[RecordedRequest] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    # --- cycle de vie ---------------------------------------------------------------------
    def start(self) -> FakeAiServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._astart(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> FakeAiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _astart(self) -> None:
        app = web.Application(middlewares=[self._record])
        app.add_routes([
            web.post("/api/v1/chat/completions", self._openrouter_chat),
            web.get("/api/v1/key", self._openrouter_key),
            web.get("/api/v1/models", self._openrouter_models),
            web.post("/api/chat", self._ollama_chat),
            web.get("/api/tags", self._ollama_tags),
        ])
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    # --- outils ---------------------------------------------------------------------------
    @web.middleware
    async def _record(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        body = await request.json() if request.can_read_body else None
        self.requests.append(RecordedRequest(request.method, request.path, dict(request.headers),
                                             body))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.force_status is not None:
            return web.json_response(self.force_body, status=self.force_status)
        return await handler(request)

    def paths(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.requests]

    def _answer_for(self, body: dict[str, Any]) -> str:
        return self.answer(body) if callable(self.answer) else self.answer

    def _openrouter_auth_error(self, request: web.Request) -> web.Response | None:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.openrouter_keys:
            return web.json_response(
                {"error": {"code": 401, "message": "No auth credentials found"}}, status=401
            )
        return None

    # --- OpenRouter -------------------------------------------------------------------------
    async def _openrouter_chat(self, request: web.Request) -> web.Response:
        if (error := self._openrouter_auth_error(request)) is not None:
            return error
        body = await request.json()
        model = body.get("model")
        if model not in self.openrouter_models:
            return web.json_response(
                {"error": {"code": 400, "message": f"{model} is not a valid model ID"}},
                status=400,
            )
        return web.json_response({
            "id": "gen-123", "object": "chat.completion", "created": int(time.time()),
            "model": model, "provider": "OpenAI",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": self._answer_for(body)}}],
            "usage": {"prompt_tokens": 900, "completion_tokens": 250, "total_tokens": 1150},
        })

    async def _openrouter_key(self, request: web.Request) -> web.Response:
        if (error := self._openrouter_auth_error(request)) is not None:
            return error
        return web.json_response({"data": {
            "label": "sk-or-v1-val...ide", "limit": 10, "limit_remaining": 7.5, "usage": 2.5,
            "is_free_tier": False,
        }})

    async def _openrouter_models(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"data": [{"id": m, "name": m, "context_length": 128000}
                      for m in sorted(self.openrouter_models)]}
        )

    # --- Ollama -----------------------------------------------------------------------------
    def _ollama_known(self, model: str) -> bool:
        return model in self.ollama_models or f"{model}:latest" in self.ollama_models

    async def _ollama_chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("stream", True) is not False:
            # Le vrai Ollama répondrait en NDJSON morceau par morceau : le client doit l'éviter.
            return web.json_response({"error": "ce faux serveur exige stream: false"}, status=400)
        model = body.get("model", "")
        if not self._ollama_known(model):
            return web.json_response(
                {"error": f'model "{model}" not found, try pulling it first'}, status=404
            )
        return web.json_response({
            "model": model, "created_at": "2026-01-01T00:00:00.000000Z",
            "message": {"role": "assistant", "content": self._answer_for(body)},
            "done_reason": "stop", "done": True, "total_duration": 1_200_000_000,
            "eval_count": 250,
        })

    async def _ollama_tags(self, request: web.Request) -> web.Response:
        return web.json_response({"models": [
            {"name": m, "model": m, "modified_at": "2026-01-01T00:00:00Z", "size": 4_920_000_000,
             "digest": "abc123", "details": {"family": "llama", "parameter_size": "8.0B"}}
            for m in self.ollama_models
        ]})
