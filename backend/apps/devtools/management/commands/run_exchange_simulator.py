"""``manage.py run_exchange_simulator`` : simulateur Binance spot (REST + WebSocket) en local.

Commande mince : les options et la boucle vivent dans ``exchange_simulator.cli``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from exchange_simulator.cli import add_arguments, serve


class Command(BaseCommand):
    help = (
        "Lance le simulateur d'échange compatible Binance (REST /api/v3, WebSocket /ws et /stream, "
        "administration /sim/) ; arrêt propre sur SIGINT/SIGTERM."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            asyncio.run(serve(options, announce=self.stdout.write))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Impossible d'ouvrir {options['host']}:{options['port']} : {exc}") from exc
