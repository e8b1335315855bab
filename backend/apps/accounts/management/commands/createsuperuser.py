"""`createsuperuser` de Django, avec la limite de 5 utilisateurs expliquée en français.

La limite est tenue par la base (déclencheur `users_max_5`) : sans cette surcharge, la commande
finirait sur une trace Python au lieu d'un message clair.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from apps.accounts.services import user_cap_violated


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic(using=options.get("database")):
                super().handle(*args, **options)
        except IntegrityError as exc:
            if user_cap_violated(exc):
                raise CommandError("Limite atteinte : Aristobot accepte au maximum 5 utilisateurs "
                                   "(supprimez-en un depuis Mon Compte › Utilisateurs).") from None
            raise
