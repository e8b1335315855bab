"""Mode développement : avec DEBUG_ARISTOBOT=True, toute requête est celle de l'utilisateur `dev`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse

from apps.core.access import DEV_USERNAME

logger = logging.getLogger(__name__)


def get_dev_user():  # noqa: ANN201 - renvoie un User ou None
    from apps.accounts.models import User

    return User.objects.filter(username=DEV_USERNAME).first()


class DebugAristobotMiddleware:
    """Connecte automatiquement `dev` (et le reconnecte après une déconnexion) en mode debug."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        public = request.path.startswith("/api/webhooks/receive/")
        if settings.DEBUG_ARISTOBOT and not public and not request.user.is_authenticated:
            dev = get_dev_user()
            if dev is None:
                logger.warning(
                    "DEBUG_ARISTOBOT actif mais l'utilisateur dev n'existe pas : "
                    "lancez « python manage.py init_aristobot »."
                )
            else:
                login(request, dev, backend="django.contrib.auth.backends.ModelBackend")
        return self.get_response(request)
