"""``ExchangeSimulator`` : un serveur aiohttp (un seul port) compatible Binance spot.

REST ``/api/v3/…`` (public et signé), WebSocket ``/ws/…`` et ``/stream?streams=…``, et API
d'administration ``/sim/…``. Aucune dépendance à Django : les tests et les bancs d'essai le
démarrent dans leur propre boucle asyncio::

    async with ExchangeSimulator(seed=42, speed=60) as sim:
        print(sim.base_url, sim.ws_url)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from decimal import Decimal
from typing import Any

from aiohttp import web

from . import errors
from .accounts import DEMO_API_KEY, DEMO_API_SECRET, DEMO_BALANCES
from .admin import AdminApi
from .candles import CandleBuilder
from .clock import SimClock
from .engine import TradingEngine
from .feed import MarketFeed
from .market import MarketModel
from .responses import json_response
from .rest_private import PrivateApi
from .rest_public import PublicApi
from .symbols import resolve_symbols
from .websocket import StreamHub

logger = logging.getLogger("aristobot.simulator")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ExchangeSimulator:
    """Marché spot simulé, déterministe pour une graine donnée, servi en HTTP/WebSocket."""

    def __init__(
        self,
        *,
        seed: int = 42,
        speed: float = 1.0,
        latency_ms: float = 0.0,
        symbols: Iterable[str] | None = None,
        anchor_ms: int | None = None,
        ws_heartbeat: float = 20.0,
        max_connection_seconds: float | None = None,
        demo_account: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.seed = seed
        self.speed = speed
        self.anchor_ms = anchor_ms
        self.specs = resolve_symbols(list(symbols) if symbols else None)
        self.clock = SimClock(speed=speed, anchor_ms=anchor_ms)
        self.market = MarketModel(seed, self.specs)
        self.candles = CandleBuilder(self.market)
        self.engine = TradingEngine(self.specs, self.current_price, self.clock.now_ms)
        self.hub = StreamHub(heartbeat=ws_heartbeat, max_connection_seconds=max_connection_seconds)
        self.latency_ms = float(latency_ms)
        self.down_mode: str | None = None
        # Requêtes REST reçues, par « MÉTHODE /chemin » (sans la chaîne de requête) : les tests
        # comptent ainsi ce qu'un appel de l'application coûte à l'exchange.
        self.requests: Counter[str] = Counter()
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self._feed_task: asyncio.Task[None] | None = None
        if demo_account:
            self.set_account(DEMO_API_KEY, DEMO_API_SECRET, dict(DEMO_BALANCES))

    # ----------------------------------------------------------------- cycle de vie
    @property
    def base_url(self) -> str:
        """URL REST de base (à mettre dans ``ARISTOBOT_BINANCE_REST_URL``)."""
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        """URL WebSocket de base (à mettre dans ``ARISTOBOT_BINANCE_WS_URL``)."""
        return f"ws://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._runner is not None

    def build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.add_routes(PublicApi(self).routes())
        app.add_routes(PrivateApi(self).routes())
        app.add_routes(AdminApi(self).routes())
        app.add_routes(
            [
                web.get("/ws", self.hub.handle),
                web.get("/ws/{streams:.*}", self.hub.handle),
                web.get("/stream", self.hub.handle),
            ]
        )
        return app

    async def start(self, host: str | None = None, port: int | None = None) -> None:
        """Démarre le serveur (port 0 : port libre choisi par le système) et le marché vivant."""
        if self._runner is not None:
            raise RuntimeError("Le simulateur est déjà démarré")
        self.host = host or self.host
        self.port = self.port if port is None else port
        self.clock.restart()
        runner = web.AppRunner(self.build_app(), access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        server = getattr(site, "_server", None)
        if server is not None and server.sockets:
            self.port = server.sockets[0].getsockname()[1]
        self._feed_task = asyncio.get_running_loop().create_task(MarketFeed(self).run())
        logger.info(
            "Simulateur Binance démarré sur %s (graine %s, vitesse ×%s, %d paires)",
            self.base_url,
            self.seed,
            self.speed,
            len(self.specs),
        )

    async def stop(self) -> None:
        """Arrête proprement : boucle de marché, connexions WebSocket, serveur HTTP."""
        if self._feed_task is not None:
            self._feed_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._feed_task
            self._feed_task = None
        await self.hub.close_all(code=1001, message=b"Server shutdown")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        logger.info("Simulateur Binance arrêté")

    async def __aenter__(self) -> ExchangeSimulator:
        if not self.running:
            await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ----------------------------------------------------------------- intergiciel
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if path.startswith("/api/"):
            self.requests[f"{request.method} {path}"] += 1
            if self.down_mode == "503":
                return web.Response(status=503, text="Service Unavailable")
            if self.down_mode == "drop":
                if request.transport is not None:
                    request.transport.abort()  # le client voit une connexion coupée sans réponse
                return web.Response(status=503)
            response = await self._handle_api(request, handler)
            if self.latency_ms > 0:
                # Latence appliquée APRÈS traitement, comme sur un vrai exchange : un client qui
                # abandonne (délai dépassé) n'annule pas un ordre déjà parti.
                await asyncio.sleep(self.latency_ms / 1000.0)
            return response
        return await handler(request)

    @staticmethod
    async def _handle_api(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except errors.BinanceError as exc:
            return json_response(exc.payload(), exc.status)
        except web.HTTPException:
            raise
        except Exception:
            logger.exception("Erreur inattendue sur %s %s", request.method, request.path)
            error = errors.unknown_error()
            return json_response(error.payload(), error.status)

    # ----------------------------------------------------------------- API Python (= /sim/)
    def current_price(self, symbol: str) -> Decimal:
        """Prix courant arrondi au pas de cotation."""
        return Decimal(f"{self.market.price_at(symbol, self.clock.now_ms()):.8f}")

    def set_account(self, api_key: str, api_secret: str, balances: dict[str, Any]) -> None:
        """Crée ou réinitialise un compte (soldes remplacés, ordres et historique effacés)."""
        self.engine.set_account(api_key, api_secret, balances)

    def account_view(self, api_key: str) -> dict[str, Any]:
        account = self.engine.accounts[api_key]
        view = account.public_view(self.engine.assets())
        view["open_orders"] = [o.query() for o in self.engine.account_orders(api_key, None, open_only=True)]
        return view

    def set_price(self, symbol: str, price: Decimal | float | str, *, freeze: bool = False) -> Decimal:
        """Impose le prix courant (figé si ``freeze``) et déclenche l'appariement immédiatement."""
        now = self.clock.now_ms()
        self.market.force_price(symbol, float(price), now, freeze=freeze)
        applied = self.current_price(symbol)
        self.engine.on_forced_price(symbol, applied, now)
        return applied

    def set_down(self, mode: str | None) -> None:
        """``"503"`` : REST répond 503 ; ``"drop"`` : connexion coupée ; ``None`` : service rétabli.

        En panne, les nouvelles connexions WebSocket sont aussi refusées (503).
        """
        self.down_mode = mode
        self.hub.refuse_new = mode is not None

    async def close_websockets(self, code: int = 1001) -> int:
        """Ferme toutes les connexions WebSocket (test de reconnexion) ; renvoie leur nombre."""
        return await self.hub.close_all(code=code, message=b"Closed by simulator admin")

    def announce_shutdown(self, close_after_ms: int | None = None) -> int:
        """Envoie ``{"e":"serverShutdown","E":…}`` à tous, puis coupe après ``close_after_ms`` (réel)."""
        count = self.hub.broadcast({"e": "serverShutdown", "E": self.clock.now_ms()})
        if close_after_ms is not None:
            asyncio.get_running_loop().call_later(
                close_after_ms / 1000.0, lambda: self.hub.spawn(self.close_websockets())
            )
        return count

    def requests_view(self) -> dict[str, Any]:
        """Requêtes REST reçues depuis le démarrage ou la dernière remise à zéro."""
        return {"total": sum(self.requests.values()), "by_endpoint": dict(sorted(self.requests.items()))}

    def requests_reset(self) -> dict[str, Any]:
        """Remet le compteur de requêtes à zéro ; renvoie ce qu'il contenait."""
        view = self.requests_view()
        self.requests.clear()
        return view

    def status(self) -> dict[str, Any]:
        return {
            "server_time": self.clock.now_ms(),
            "seed": self.seed,
            "speed": self.speed,
            "latency_ms": self.latency_ms,
            "down": self.down_mode,
            "ws_connections": len(self.hub.connections),
            "symbols": list(self.specs),
            "accounts": len(self.engine.accounts),
        }
