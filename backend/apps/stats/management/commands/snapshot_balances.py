"""`manage.py snapshot_balances [--user NOM]` : relève maintenant le solde valorisé de chaque broker
(le moteur de trading le fait aussi toutes les ARISTOBOT_BALANCE_SNAPSHOT_MINUTES minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.core.numbers import number_fr
from apps.stats.services import balance_snapshots_record


class Command(BaseCommand):
    help = "Relève maintenant le solde valorisé en USD(T) de chaque broker (Statistiques)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", help="Seulement les brokers de cet utilisateur (nom)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options.get("user"):
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"Utilisateur inconnu : « {options['user']} ».")
        snapshots = balance_snapshots_record(user=user)
        for snapshot in snapshots:
            if snapshot.total_usd is None:
                value = f"illisible — {snapshot.error}"
            else:
                value = f"{number_fr(snapshot.total_usd, decimals=2, min_decimals=2)} USD"
            self.stdout.write(f"{snapshot.broker.name} ({snapshot.broker.user}) : {value}")
        failed = sum(1 for s in snapshots if s.total_usd is None)
        self.stdout.write(f"{len(snapshots)} solde(s) relevé(s), {failed} illisible(s).")
