"""Endpoints signés ``/api/v3`` : compte, ordres, OCO, historique.

Signature : HMAC-SHA256 hexadécimal de ``chaîne de requête + corps`` (sans ``signature``), tels
qu'envoyés (encodés), avec le secret de la clé de l'en-tête ``X-MBX-APIKEY``. CCXT signe la
chaîne de requête pour GET/DELETE et le corps ``application/x-www-form-urlencoded`` pour POST.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from aiohttp import web

from . import errors
from .clock import wall_ms
from .params import Params
from .responses import json_response

if TYPE_CHECKING:
    from .server import ExchangeSimulator

DEFAULT_RECV_WINDOW = 5_000
MAX_RECV_WINDOW = 60_000

Handler = Callable[[str, Params], object]


def _strip_signature(raw: str) -> tuple[str, str | None]:
    """Retire ``signature=…`` d'une chaîne encodée ; renvoie (chaîne sans signature, signature)."""
    if not raw:
        return "", None
    kept, signature = [], None
    for piece in raw.split("&"):
        if piece.startswith("signature="):
            signature = piece[len("signature=") :]
        else:
            kept.append(piece)
    return "&".join(kept), signature


class PrivateApi:
    """Authentification des requêtes signées et routage vers le moteur d'ordres."""

    def __init__(self, sim: ExchangeSimulator) -> None:
        self.sim = sim

    def routes(self) -> list[web.RouteDef]:
        engine = self.sim.engine
        table: list[tuple[str, str, Handler]] = [
            ("GET", "account", engine.account_info),
            ("POST", "order", engine.new_order),
            ("GET", "order", engine.query_order),
            ("DELETE", "order", engine.cancel_order),
            ("GET", "openOrders", engine.list_open_orders),
            ("DELETE", "openOrders", engine.cancel_open_orders),
            ("GET", "allOrders", engine.list_all_orders),
            ("GET", "myTrades", engine.list_my_trades),
            ("POST", "order/oco", engine.new_oco_legacy),
            ("POST", "orderList/oco", engine.new_oco_list),
            ("GET", "orderList", engine.query_order_list),
            ("DELETE", "orderList", engine.cancel_order_list),
            ("GET", "openOrderList", lambda key, p: engine.list_order_lists(key, p, open_only=True)),
            ("GET", "allOrderList", lambda key, p: engine.list_order_lists(key, p, open_only=False)),
        ]
        return [web.route(method, f"/api/v3/{path}", self._wrap(handler)) for method, path, handler in table]

    def _wrap(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def endpoint(request: web.Request) -> web.Response:
            api_key, params = await self.authenticate(request)
            return json_response(handler(api_key, params))

        return endpoint

    async def authenticate(self, request: web.Request) -> tuple[str, Params]:
        """Vérifie clé, horodatage et signature ; renvoie la clé et les paramètres fusionnés."""
        api_key = request.headers.get("X-MBX-APIKEY", "")
        if not api_key:
            raise errors.api_key_format_invalid()
        account = self.sim.engine.accounts.get(api_key)
        if account is None:
            raise errors.invalid_api_key()
        raw_query = request.rel_url.raw_query_string
        raw_body = await request.text() if request.can_read_body else ""
        query_part, query_sig = _strip_signature(raw_query)
        body_part, body_sig = _strip_signature(raw_body)
        params = Params.from_pairs(
            parse_qsl(query_part, keep_blank_values=True), parse_qsl(body_part, keep_blank_values=True)
        )
        signature = query_sig or body_sig
        if not signature:
            raise errors.missing_param("signature")
        self._check_timestamp(params)
        expected = hmac.new(
            account.api_secret.encode(), (query_part + body_part).encode(), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, signature.lower()):
            raise errors.invalid_signature()
        return api_key, params

    def _check_timestamp(self, params: Params) -> None:
        """Fenêtre ``recvWindow`` : acceptée par rapport à l'horloge simulée OU à l'horloge réelle.

        Les clients signent avec leur horloge murale ; avec ``speed ≠ 1`` l'horloge simulée s'en
        écarte, d'où la double tolérance (identique à Binance quand ``speed = 1``).
        """
        timestamp = params.integer("timestamp", required=True)
        assert timestamp is not None
        window = params.integer("recvWindow")
        window = DEFAULT_RECV_WINDOW if window is None else window
        if window > MAX_RECV_WINDOW:
            raise errors.recv_window_too_large()
        clocks = (self.sim.clock.now_ms(), wall_ms())
        if any(timestamp < now + 1000 and now - timestamp <= window for now in clocks):
            return
        if all(timestamp >= now + 1000 for now in clocks):
            raise errors.timestamp_ahead()
        raise errors.timestamp_outside_window()
