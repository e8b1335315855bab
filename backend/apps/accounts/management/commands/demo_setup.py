"""Prépare la démo hors ligne : un broker « Simulateur » pour `dev` et une stratégie d'exemple."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.brokers.models import Broker
from apps.brokers.services import broker_create, broker_update
from apps.strategies.models import Strategy
from apps.strategies.services import strategy_create
from apps.strategies.templates import EMA_CROSS_EXAMPLE

DEMO_BROKER_NAME = "Simulateur (démo)"
DEMO_API_KEY = "demo-api-key"
DEMO_API_SECRET = "demo-api-secret"  # noqa: S105 - compte fictif du simulateur local
DEMO_STRATEGY_NAME = "Croisement EMA 10/20 (exemple)"


class Command(BaseCommand):
    help = "Crée (idempotent) le broker de démonstration de dev, relié au simulateur d'exchange."

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
            self.stdout.write(self.style.WARNING(
                "ARISTOBOT_BINANCE_REST_URL pointe vers Binance : le broker de démo ne fonctionnera "
                "qu'avec le simulateur (ARISTOBOT_BINANCE_REST_URL=http://127.0.0.1:8765)."
            ))
        broker = Broker.objects.filter(user=user, name=DEMO_BROKER_NAME).first()
        if broker is None:
            broker = broker_create(user=user, name=DEMO_BROKER_NAME, exchange="binance",
                                   api_key=DEMO_API_KEY, api_secret=DEMO_API_SECRET,
                                   is_default=True)
            self.stdout.write(self.style.SUCCESS(f"Broker « {broker.name} » créé pour {username}."))
        else:
            broker_update(broker=broker, api_key=DEMO_API_KEY, api_secret=DEMO_API_SECRET,
                          exchange="binance", is_testnet=False)
            self.stdout.write(f"Broker « {broker.name} » déjà présent (clés de démo rétablies).")
        if not Strategy.objects.filter(user=user, name=DEMO_STRATEGY_NAME).exists():
            strategy_create(user=user, name=DEMO_STRATEGY_NAME, code=EMA_CROSS_EXAMPLE,
                            timeframe="1m",
                            description="L'exemple de la spécification : croisement EMA 10 / EMA 20.")
            self.stdout.write(self.style.SUCCESS(f"Stratégie « {DEMO_STRATEGY_NAME} » créée."))
        self.stdout.write(f"Simulateur attendu sur {rest_url}.")
