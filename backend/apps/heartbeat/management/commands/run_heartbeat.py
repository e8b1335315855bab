"""`python manage.py run_heartbeat` : le démon Heartbeat (voir docs/heartbeat.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.heartbeat.config import HeartbeatConfig
from apps.heartbeat.service import HeartbeatService


class Command(BaseCommand):
    help = (
        "Écoute le flux WebSocket Binance (klines 1m), construit les bougies 1m…4h, les enregistre "
        "dans candles_heartbeat et publie les signaux sur le groupe « heartbeat »."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--symbols", help="Symboles séparés par des virgules (défaut : HEARTBEAT_SYMBOLS)"
        )
        parser.add_argument("--ws-url", help="Base WebSocket (défaut : ARISTOBOT_BINANCE_WS_URL)")
        parser.add_argument("--rest-url", help="Base REST (défaut : ARISTOBOT_BINANCE_REST_URL)")
        parser.add_argument(
            "--trades", action="store_true", help="Ajoute le flux @trade (affichage brut seulement)"
        )
        parser.add_argument(
            "--initial-backfill-minutes", type=int,
            help="Base vide : minutes 1m à récupérer au démarrage (défaut 1440)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        overrides: dict[str, Any] = {}
        if options.get("symbols"):
            symbols = tuple(s.strip().upper() for s in options["symbols"].split(",") if s.strip())
            if not symbols:
                raise CommandError("Aucun symbole valide dans --symbols.")
            overrides["symbols"] = symbols
        if options.get("ws_url"):
            overrides["ws_url"] = options["ws_url"]
        if options.get("rest_url"):
            overrides["rest_url"] = options["rest_url"]
        if options.get("trades"):
            overrides["with_trades"] = True
        if options.get("initial_backfill_minutes") is not None:
            if options["initial_backfill_minutes"] < 0:
                raise CommandError("--initial-backfill-minutes doit être positif.")
            overrides["initial_backfill_minutes"] = options["initial_backfill_minutes"]
        config = HeartbeatConfig.from_settings(**overrides)
        if not config.symbols:
            raise CommandError("Aucun symbole à suivre : renseignez HEARTBEAT_SYMBOLS.")
        self.stdout.write(
            f"Heartbeat : {', '.join(config.symbols)} via {config.stream_url()} "
            f"(rattrapage REST : {config.rest_url}). Ctrl+C pour arrêter."
        )
        service = HeartbeatService(config)
        service.run()
        if service.failed:
            raise CommandError("Le heartbeat s'est arrêté sur une erreur (voir le journal).")
