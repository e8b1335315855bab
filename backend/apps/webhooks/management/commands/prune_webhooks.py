"""`manage.py prune_webhooks` : efface les corps bruts des alertes plus vieilles que la durée de
conservation (ARISTOBOT_WEBHOOK_RETENTION_DAYS, 30 jours). Le moteur le fait aussi chaque heure."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.webhooks.services import webhooks_prune


class Command(BaseCommand):
    help = "Efface le corps brut et les en-têtes des webhooks plus vieux que la conservation."

    def handle(self, *args: Any, **options: Any) -> None:
        count = webhooks_prune()
        self.stdout.write(f"{count} webhook(s) allégé(s) (conservation : "
                          f"{settings.ARISTOBOT_WEBHOOK_RETENTION_DAYS} jours).")
