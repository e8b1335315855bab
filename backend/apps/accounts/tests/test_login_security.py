"""Connexion : échecs limités par nom et par IP (429 français + Retry-After), admin non exposé,
réglages de déploiement propres (`check --deploy`), origine WebSocket vérifiée hôte ET port."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

PASSWORD = "motdepasse-solide-42"


def _client(ip: str = "10.0.0.1") -> APIClient:
    client = APIClient(enforce_csrf_checks=True, REMOTE_ADDR=ip)
    client.get("/api/auth/me/")
    return client


def _login(client: APIClient, username: str, password: str):  # noqa: ANN202
    return client.post("/api/auth/login/", {"username": username, "password": password},
                       format="json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)


@pytest.mark.django_db
def test_password_guessing_on_one_account_is_throttled_even_from_many_addresses(make_user, settings) -> None:  # noqa: ANN001
    settings.ARISTOBOT_LOGIN_FAILURES_PER_USER = 3
    make_user("alice")
    codes = [_login(_client(f"10.0.0.{i}"), "alice", "mauvais").status_code for i in range(3)]
    assert codes == [400, 400, 400]
    blocked = _login(_client("10.0.9.9"), "Alice", PASSWORD)  # même bon mot de passe : refusé
    assert blocked.status_code == 429
    assert blocked.json()["detail"].startswith("Trop de tentatives de connexion pour le compte "
                                               "« alice » : réessayez dans")
    assert 1 <= int(blocked["Retry-After"]) <= 900
    assert _login(_client("10.0.9.9"), "bob", "x").status_code == 400  # un autre compte : normal


@pytest.mark.django_db
def test_password_spraying_from_one_address_is_throttled(make_user, settings) -> None:  # noqa: ANN001
    settings.ARISTOBOT_LOGIN_FAILURES_PER_IP = 4
    for name in ("u1", "u2"):
        make_user(name)
    client = _client("10.1.1.1")
    codes = [_login(client, f"u{i % 2 + 1}", f"essai-{i}").status_code for i in range(5)]
    assert codes == [400, 400, 400, 400, 429]
    assert "cette adresse" in _login(client, "u1", PASSWORD).json()["detail"]
    assert _login(_client("10.1.1.2"), "u1", PASSWORD).status_code == 200


@pytest.mark.django_db
def test_a_successful_login_clears_the_account_failures(make_user, settings) -> None:  # noqa: ANN001
    settings.ARISTOBOT_LOGIN_FAILURES_PER_USER = 3
    make_user("carol")
    for _ in range(2):
        _login(_client(), "carol", "mauvais")
    assert _login(_client(), "carol", PASSWORD).status_code == 200
    for _ in range(2):
        assert _login(_client(), "carol", "mauvais").status_code == 400


@pytest.mark.django_db
def test_django_admin_is_not_exposed_by_default() -> None:
    from django.test import Client

    response = Client().get("/admin/")
    assert response.status_code == 404


def test_check_deploy_is_clean_in_a_production_configuration() -> None:
    backend = Path(__file__).resolve().parents[3]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DEBUG", "ARISTOBOT_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "aristobot.settings", "DEBUG": "False", "DEBUG_ARISTOBOT": "False",
        "SECRET_KEY": "x7#K" + "p9Lq2Vz!R4tW8mN1cY6bH3jD5fG0sA" * 2,
        "ALLOWED_HOSTS": "aristobot.example.org", "CSRF_TRUSTED_ORIGINS": "https://aristobot.example.org",
        "ARISTOBOT_SECURE_COOKIES": "True", "ARISTOBOT_SSL_REDIRECT": "True",
        "ARISTOBOT_HSTS_SECONDS": "31536000", "ARISTOBOT_HSTS_INCLUDE_SUBDOMAINS": "True",
        "ARISTOBOT_HSTS_PRELOAD": "True", "ARISTOBOT_BEHIND_HTTPS_PROXY": "True",
    })
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=backend, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _ws(origin: str, host: str) -> WebsocketCommunicator:
    from aristobot.asgi import application

    return WebsocketCommunicator(application, "/ws/heartbeat/",
                                 headers=[(b"origin", origin.encode()), (b"host", host.encode())])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("origin", "host", "accepted"), [
    ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
    ("http://localhost:5173", "127.0.0.1:8000", True),  # Vite en développement (origine de confiance)
    ("http://127.0.0.1:9999", "127.0.0.1:8000", False),  # autre service local : autre port
    ("http://127.0.0.1", "127.0.0.1:8000", False),
    ("https://127.0.0.1:8000", "127.0.0.1:8000", False),
    ("http://evil.example:8000", "evil.example:8000", False),  # hôte hors ALLOWED_HOSTS
    ("null", "127.0.0.1:8000", False),
    ("", "127.0.0.1:8000", False),
])
async def test_websocket_origin_must_match_host_and_port(origin: str, host: str, accepted: bool) -> None:
    communicator = _ws(origin, host)
    connected, _ = await communicator.connect()
    assert connected is accepted
    await communicator.disconnect()
