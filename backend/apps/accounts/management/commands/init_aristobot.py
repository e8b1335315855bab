"""Crée les utilisateurs `dev` et `dac` (idempotent) et affiche leurs mots de passe."""

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
                user_create(username=username, password=password, is_staff=(username == "dev"))
                self.stdout.write(
                    self.style.SUCCESS(f"Utilisateur « {username} » créé, mot de passe : {password}")
                )
            elif wanted and not user.check_password(wanted):
                user.set_password(wanted)
                user.save(update_fields=["password"])
                self.stdout.write(
                    f"Utilisateur « {username} » existant : mot de passe mis à jour depuis "
                    f"{env_var} : {wanted}"
                )
            else:
                shown = wanted or "(inchangé, défini lors de la création)"
                self.stdout.write(f"Utilisateur « {username} » déjà présent, mot de passe : {shown}")
