"""API d'administration ``/sim/…`` (propre au simulateur, pas Binance), réservée au loopback.

Réponses JSON ; erreurs ``{"detail": "<message en français>"}`` avec un statut 4xx.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .responses import json_response

if TYPE_CHECKING:
    from .server import ExchangeSimulator

LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")


class AdminError(Exception):
    """Requête d'administration invalide (message en français)."""

    def __init__(self, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        data = json.loads(await request.text() or "{}")
    except ValueError as exc:
        raise AdminError("Corps JSON invalide") from exc
    if not isinstance(data, dict):
        raise AdminError("Le corps doit être un objet JSON")
    return data


class AdminApi:
    """Gestionnaires des routes ``/sim/``."""

    def __init__(self, sim: ExchangeSimulator) -> None:
        self.sim = sim

    def routes(self) -> list[web.RouteDef]:
        handlers = {
            ("GET", "/sim/status"): self.status,
            ("POST", "/sim/accounts"): self.set_account,
            ("GET", "/sim/accounts/{api_key}"): self.get_account,
            ("POST", "/sim/ws/close-all"): self.ws_close_all,
            ("POST", "/sim/ws/server-shutdown"): self.ws_server_shutdown,
            ("POST", "/sim/latency"): self.latency,
            ("POST", "/sim/down"): self.down,
            ("POST", "/sim/up"): self.up,
            ("POST", "/sim/price"): self.price,
            ("GET", "/sim/requests"): self.requests,
            ("POST", "/sim/requests/reset"): self.requests_reset,
        }
        return [web.route(method, path, self._guard(handler)) for (method, path), handler in handlers.items()]

    def _guard(self, handler: Any) -> Any:
        async def endpoint(request: web.Request) -> web.Response:
            if request.remote not in LOOPBACK:
                return json_response({"detail": "API d'administration réservée au loopback"}, 403)
            try:
                return json_response(await handler(request, await _body(request)))
            except AdminError as exc:
                return json_response({"detail": exc.detail}, exc.status)

        return endpoint

    async def status(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        return self.sim.status()

    async def set_account(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        api_key, api_secret = body.get("api_key"), body.get("api_secret")
        balances = body.get("balances", {})
        if not isinstance(api_key, str) or not api_key or not isinstance(api_secret, str) or not api_secret:
            raise AdminError("Champs 'api_key' et 'api_secret' obligatoires (chaînes non vides)")
        if not isinstance(balances, dict):
            raise AdminError("Le champ 'balances' doit être un objet {actif: montant}")
        try:
            self.sim.set_account(api_key, api_secret, balances)
        except (ValueError, InvalidOperation) as exc:
            raise AdminError(f"Soldes invalides : {exc}") from exc
        return self.sim.account_view(api_key)

    async def get_account(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        api_key = request.match_info["api_key"]
        if api_key not in self.sim.engine.accounts:
            raise AdminError(f"Compte inconnu : {api_key}", 404)
        return self.sim.account_view(api_key)

    async def ws_close_all(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        code = body.get("code", 1001)
        if not isinstance(code, int):
            raise AdminError("Le champ 'code' doit être un entier")
        return {"closed": await self.sim.close_websockets(code=code)}

    async def ws_server_shutdown(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        close_after = body.get("close_after_ms")
        if close_after is not None and not isinstance(close_after, int):
            raise AdminError("Le champ 'close_after_ms' doit être un entier (ms)")
        return {"notified": self.sim.announce_shutdown(close_after_ms=close_after)}

    async def latency(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        value = body.get("ms")
        if not isinstance(value, int | float) or value < 0:
            raise AdminError("Le champ 'ms' doit être un nombre positif")
        self.sim.latency_ms = float(value)
        return {"latency_ms": self.sim.latency_ms}

    async def down(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        mode = body.get("mode", "503")
        if mode not in ("503", "drop"):
            raise AdminError("Le champ 'mode' vaut '503' (réponse 503) ou 'drop' (connexion coupée)")
        self.sim.set_down(mode)
        return {"down": True, "mode": mode}

    async def up(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        self.sim.set_down(None)
        return {"down": False}

    async def price(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        symbol = str(body.get("symbol", "")).upper().replace("/", "")
        if symbol not in self.sim.specs:
            raise AdminError(f"Paire inconnue : {symbol or '(vide)'}")
        try:
            price = Decimal(str(body.get("price")))
        except InvalidOperation as exc:
            raise AdminError("Le champ 'price' doit être un nombre") from exc
        if not price.is_finite() or price <= 0:
            raise AdminError("Le champ 'price' doit être strictement positif")
        freeze = bool(body.get("freeze", False))
        applied = self.sim.set_price(symbol, price, freeze=freeze)
        return {"symbol": symbol, "price": f"{applied:.8f}", "freeze": freeze}

    async def requests(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        return self.sim.requests_view()

    async def requests_reset(self, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
        return self.sim.requests_reset()
