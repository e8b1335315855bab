"""Crée les utilisateurs `dev` et `dac`, administrateurs (idempotent).

Un mot de passe tiré au hasard est affiché une seule fois, à la création ; un mot de passe pris
dans l'environnement n'est jamais affiché (il est déjà connu de qui l'a défini).
"""

from __future__ import annotations

import os
import secrets

from django.core.management.base import BaseCommand

from apps.accounts.models import User
from apps.accounts.services import user_create

USERS = (("dev", "ARISTOBOT_DEV_PASSWORD"), ("dac", "ARISTOBOT_DAC_PASSWORD"))


class Command(BaseCommand):
    help = "Crée les utilisateurs dev et dac s'ils n'existent pas (mots de passe : variables d'env)."

    def handle(self, *args: object, **options: object) -> None:
        for username, env_var in USERS:
            wanted = os.environ.get(env_var, "")
            user = User.objects.filter(username=username).first()
            if user is None:
                password = wanted or secrets.token_urlsafe(12)
                user_create(username=username, password=password, is_staff=True)
                shown = f"celui de {env_var}" if wanted else password
                self.stdout.write(
                    self.style.SUCCESS(f"Utilisateur « {username} » (administrateur) créé, mot de "
                                       f"passe : {shown}")
                )
                continue
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            if wanted and not user.check_password(wanted):
                user.set_password(wanted)
                user.save(update_fields=["password"])
                self.stdout.write(f"Utilisateur « {username} » existant : mot de passe remplacé par "
                                  f"celui de {env_var}")
            else:
                self.stdout.write(f"Utilisateur « {username} » (administrateur) déjà présent, mot de "
                                  "passe inchangé")
