"""`python manage.py run_trading_engine` : le démon Trading Engine (voir docs/trading-engine.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.trading_engine.engine.config import EngineConfig
from apps.trading_engine.engine.service import TradingEngine


class Command(BaseCommand):
    help = (
        "Écoute les signaux du heartbeat et exécute les stratégies actives (ordres via CCXT, SL/TP), "
        "surveille les positions ouvertes chaque minute et exécute les webhooks en attente."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pool-size", type=int, help="Évaluations de stratégies simultanées (défaut 4)")
        parser.add_argument("--strategy-timeout", type=float, help="Délai d'une stratégie en s (défaut 5)")
        parser.add_argument("--monitor-interval", type=float,
                            help="Contrôle des positions ouvertes, en s (défaut 60)")
        parser.add_argument("--webhook-poll", type=float,
                            help="Relecture des webhooks en attente, en s (défaut 5)")

    def handle(self, *args: Any, **options: Any) -> None:
        overrides = {
            "pool_size": options.get("pool_size"),
            "strategy_timeout_s": options.get("strategy_timeout"),
            "monitor_interval_s": options.get("monitor_interval"),
            "webhook_poll_s": options.get("webhook_poll"),
        }
        for name, value in overrides.items():
            if value is not None and value <= 0:
                raise CommandError(f"Valeur invalide pour {name} : strictement positive attendue.")
        config = EngineConfig.from_settings(**overrides)
        self.stdout.write(
            f"Moteur de trading : {config.pool_size} évaluations simultanées, délai stratégie "
            f"{config.strategy_timeout_s:g} s, surveillance toutes les {config.monitor_interval_s:g} s. "
            "Ctrl+C pour arrêter."
        )
        engine = TradingEngine(config)
        engine.run()
        if engine.failed:
            raise CommandError("Le moteur de trading s'est arrêté sur une erreur (voir le journal).")
