"""Configuration commune des tests : vraie base PostgreSQL, vrai Redis (voir README)."""

from __future__ import annotations

import os
import uuid

# Réglages de test posés avant le chargement de Django.
os.environ.setdefault("SECRET_KEY", "aristobot-tests-secret-key-0123456789-abcdefghijklmnop")
os.environ.setdefault("DEBUG_ARISTOBOT", "False")
# Aucun test ne joint le vrai Telegram : par défaut un port local fermé (les tests Telegram
# pointent un faux serveur, apps/notifications/tests/fake_telegram_server.py).
os.environ.setdefault("ARISTOBOT_TELEGRAM_API_URL", "http://127.0.0.1:9")
# Préfixe de channel layer propre à cette session de tests (pas d'interférence avec l'app lancée).
os.environ.setdefault("CHANNEL_LAYER_PREFIX", f"aristobot-test-{uuid.uuid4().hex[:8]}")

import pytest  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    """Préfixe Redis propre à la session : les réglages sont chargés avant ce fichier."""
    from django.conf import settings

    settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = os.environ["CHANNEL_LAYER_PREFIX"]
    # Hachage rapide des mots de passe en test (PBKDF2 coûte ~0,3 s par connexion) : les tests
    # de sécurité vérifient la logique, pas la résistance du hachage de production.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db):  # noqa: ANN001, ANN201
    """Fabrique d'utilisateurs (passe par le service, donc par la limite de 5)."""
    from apps.accounts.services import user_create, user_preferences_update

    counter = {"n": 0}

    def _make(username: str | None = None, password: str = "motdepasse-solide-42",  # noqa: ANN202
              is_staff: bool = False, **prefs):
        counter["n"] += 1
        user = user_create(username=username or f"user{counter['n']}", password=password,
                           is_staff=is_staff)
        return user_preferences_update(user=user, **prefs) if prefs else user

    return _make


@pytest.fixture
def api_client():  # noqa: ANN201
    from rest_framework.test import APIClient

    return APIClient(enforce_csrf_checks=True)


@pytest.fixture
def logged_client(make_user):  # noqa: ANN001, ANN201
    """Client HTTP connecté par le vrai endpoint de login (session + CSRF)."""
    from rest_framework.test import APIClient

    def _login(user=None, password: str = "motdepasse-solide-42"):  # noqa: ANN001, ANN202
        user = user or make_user()
        client = APIClient(enforce_csrf_checks=True)
        client.get("/api/auth/me/")
        token = client.cookies["csrftoken"].value
        resp = client.post(
            "/api/auth/login/",
            {"username": user.username, "password": password},
            format="json",
            HTTP_X_CSRFTOKEN=token,
        )
        assert resp.status_code == 200, resp.content
        client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
        client.user = user
        return client

    return _login


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # noqa: ANN202
    """Débits en mémoire remis à zéro à chaque test (webhooks, connexion) : pas de fuite entre tests."""
    yield
    from apps.core.ratelimit import clear_all

    clear_all()
