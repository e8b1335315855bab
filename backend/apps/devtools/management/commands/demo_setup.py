"""Prépare la démo hors ligne : broker « Simulateur » de `dev`, ses paires, une stratégie d'exemple.

Les paires sont chargées comme le ferait « MAJ Paires de trading » (`markets_load`, CCXT réel) :
depuis le simulateur configuré s'il répond déjà, sinon depuis un simulateur temporaire lancé
dans ce processus (`make demo` appelle cette commande avant de démarrer le vrai simulateur ;
les deux exposent les mêmes marchés). Trading manuel, Trading BOT et Backtest sont donc
utilisables dès la première ouverture.
"""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test.utils import override_settings
from exchange_simulator.testing import running_simulator

from apps.accounts.models import User
from apps.brokers.models import Broker
from apps.brokers.services import broker_create, broker_update
from apps.core.services.ccxt_manager import close_all
from apps.market_data.models import MarketSymbolsJob
from apps.market_data.services import markets_load
from apps.strategies.models import Strategy
from apps.strategies.services import strategy_create
from apps.strategies.templates import EMA_CROSS_EXAMPLE

DEMO_BROKER_NAME = "Simulateur (démo)"
DEMO_API_KEY = "demo-api-key"
DEMO_API_SECRET = "demo-api-secret"  # noqa: S105 - compte fictif du simulateur local
DEMO_STRATEGY_NAME = "Croisement EMA 10/20 (exemple)"
DEMO_EXCHANGE = "binance"


def _reachable(url: str, timeout: float = 1.0) -> bool:
    """Vrai si un serveur écoute à l'adresse de `url` (connexion TCP seulement)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


async def demo_pairs_load(*, rest_url: str, running: bool) -> tuple[MarketSymbolsJob, str]:
    """Charge les paires de l'exchange de démo (depuis `rest_url` si un simulateur y tourne, sinon
    depuis un simulateur temporaire) ; rend le job et la source utilisée."""
    try:
        if running:
            return await markets_load(exchange_id=DEMO_EXCHANGE), rest_url
        async with running_simulator() as simulator:
            with override_settings(ARISTOBOT_BINANCE_REST_URL=simulator.base_url):
                try:
                    job = await markets_load(exchange_id=DEMO_EXCHANGE)
                finally:
                    await close_all()
            return job, "un simulateur temporaire"
    finally:
        await close_all()
        await sync_to_async(connections.close_all)()  # connexions des threads ORM de asyncio.run


class Command(BaseCommand):
    help = (
        "Crée (idempotent) le broker de démonstration de dev, relié au simulateur d'exchange, "
        "charge ses paires de trading et ajoute la stratégie d'exemple."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--username", default="dev")

    def handle(self, *args: object, **options: object) -> None:
        username = str(options["username"])
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                f"Utilisateur « {username} » introuvable : lancez d'abord « manage.py init_aristobot »."
            )
        rest_url = settings.ARISTOBOT_BINANCE_REST_URL
        if "binance.com" in rest_url:
            raise CommandError(
                "ARISTOBOT_BINANCE_REST_URL pointe vers Binance : la démo n'utilise que le simulateur "
                "local (ARISTOBOT_BINANCE_REST_URL=http://127.0.0.1:8765, ou lancez « make demo »)."
            )
        self._broker(user)
        self._strategy(user)
        self._pairs(rest_url)
        self.stdout.write(f"Simulateur attendu sur {rest_url}.")

    def _broker(self, user: User) -> None:
        broker = Broker.objects.filter(user=user, name=DEMO_BROKER_NAME).first()
        if broker is None:
            broker = broker_create(user=user, name=DEMO_BROKER_NAME, exchange=DEMO_EXCHANGE,
                                   api_key=DEMO_API_KEY, api_secret=DEMO_API_SECRET,
                                   is_default=True)
            self.stdout.write(self.style.SUCCESS(f"Broker « {broker.name} » créé pour {user.username}."))
        else:
            broker_update(broker=broker, api_key=DEMO_API_KEY, api_secret=DEMO_API_SECRET,
                          exchange=DEMO_EXCHANGE, is_testnet=False)
            self.stdout.write(f"Broker « {broker.name} » déjà présent (clés de démo rétablies).")

    def _strategy(self, user: User) -> None:
        if not Strategy.objects.filter(user=user, name=DEMO_STRATEGY_NAME).exists():
            strategy_create(user=user, name=DEMO_STRATEGY_NAME, code=EMA_CROSS_EXAMPLE,
                            timeframe="1m",
                            description="L'exemple de la spécification : croisement EMA 10 / EMA 20.")
            self.stdout.write(self.style.SUCCESS(f"Stratégie « {DEMO_STRATEGY_NAME} » créée."))

    def _pairs(self, rest_url: str) -> None:
        # Sonde TCP (bloquante) faite avant la boucle asyncio, pas dedans.
        running = _reachable(rest_url)
        job, source = asyncio.run(demo_pairs_load(rest_url=rest_url, running=running))
        if job.status != MarketSymbolsJob.Status.DONE:
            raise CommandError(f"Paires de trading non chargées depuis {source} : {job.error}")
        self.stdout.write(self.style.SUCCESS(
            f"Paires de trading : {job.total} paires {DEMO_EXCHANGE} à jour (depuis {source})."
        ))
