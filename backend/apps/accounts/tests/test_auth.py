"""Authentification par session + CSRF, mode DEBUG_ARISTOBOT, limite de 5 utilisateurs."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.services import user_create
from apps.core.exceptions import LimitReachedError

pytestmark = pytest.mark.django_db


def _csrf_client() -> tuple[APIClient, str]:
    client = APIClient(enforce_csrf_checks=True)
    resp = client.get("/api/auth/me/")
    assert resp.status_code == 200
    return client, client.cookies["csrftoken"].value


def test_me_sets_csrf_cookie_and_reports_anonymous() -> None:
    client = APIClient()
    resp = client.get("/api/auth/me/")
    assert resp.json() == {"authenticated": False, "debug_aristobot": False, "user": None}
    assert "csrftoken" in resp.cookies


def test_login_requires_csrf_token(make_user) -> None:
    make_user("alice")
    client, _ = _csrf_client()
    resp = client.post(
        "/api/auth/login/", {"username": "alice", "password": "motdepasse-solide-42"}, format="json"
    )
    assert resp.status_code == 403
    assert "CSRF" in resp.json()["detail"]


def test_login_me_logout_cycle(make_user) -> None:
    make_user("alice")
    client, token = _csrf_client()
    resp = client.post(
        "/api/auth/login/",
        {"username": "alice", "password": "motdepasse-solide-42"},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert resp.status_code == 200
    assert resp.json()["user"]["username"] == "alice"
    assert resp.json()["user"]["is_dev"] is False
    token = client.cookies["csrftoken"].value
    assert client.get("/api/auth/me/").json()["authenticated"] is True
    assert client.post("/api/auth/logout/", HTTP_X_CSRFTOKEN=token).status_code == 200
    assert client.get("/api/auth/me/").json()["authenticated"] is False
    assert client.get("/api/brokers/").status_code == 403


def test_wrong_password_gives_french_error(make_user) -> None:
    make_user("alice")
    client, token = _csrf_client()
    resp = client.post(
        "/api/auth/login/",
        {"username": "alice", "password": "faux"},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert resp.status_code == 400
    assert resp.json()["detail"] == "Identifiant ou mot de passe incorrect."


def test_preferences_are_persisted(logged_client) -> None:
    client = logged_client()
    resp = client.patch("/api/auth/me/", {"theme": "light", "display_timezone": "local"},
                        format="json")
    assert resp.status_code == 200
    client.user.refresh_from_db()
    assert (client.user.theme, client.user.display_timezone) == ("light", "local")
    bad = client.patch("/api/auth/me/", {"theme": "rose"}, format="json")
    assert bad.status_code == 400
    assert "theme" in bad.json()["errors"]


def test_password_change_checks_current_and_validators(logged_client) -> None:
    client = logged_client()
    wrong = client.post("/api/auth/password/",
                        {"current_password": "nope", "new_password": "Nouveau-mdp-2026!"},
                        format="json")
    assert wrong.status_code == 400
    assert wrong.json()["detail"] == "Mot de passe actuel incorrect."
    weak = client.post("/api/auth/password/",
                       {"current_password": "motdepasse-solide-42", "new_password": "123"},
                       format="json")
    assert weak.status_code == 400
    assert "Nouveau mot de passe refusé" in weak.json()["detail"]
    ok = client.post("/api/auth/password/",
                     {"current_password": "motdepasse-solide-42",
                      "new_password": "Nouveau-mdp-2026!"}, format="json")
    assert ok.status_code == 200
    client.user.refresh_from_db()
    assert client.user.check_password("Nouveau-mdp-2026!")
    # la session reste valide après le changement
    assert client.get("/api/auth/me/").json()["authenticated"] is True


def test_at_most_five_users() -> None:
    for i in range(5):
        user_create(username=f"u{i}", password="motdepasse-solide-42")
    with pytest.raises(LimitReachedError) as exc:
        user_create(username="u5", password="motdepasse-solide-42")
    assert "au maximum 5 utilisateurs" in str(exc.value)
    assert User.objects.count() == 5


def test_init_aristobot_is_idempotent_makes_admins_and_never_prints_configured_passwords(
        monkeypatch, capsys) -> None:
    monkeypatch.setenv("ARISTOBOT_DEV_PASSWORD", "dev-secret-1")
    monkeypatch.setenv("ARISTOBOT_DAC_PASSWORD", "dac-secret-2")
    call_command("init_aristobot")
    call_command("init_aristobot")
    out = capsys.readouterr().out
    assert "dev-secret-1" not in out and "dac-secret-2" not in out
    assert "celui de ARISTOBOT_DEV_PASSWORD" in out and "déjà présent" in out
    assert set(User.objects.values_list("username", flat=True)) == {"dev", "dac"}
    assert User.objects.get(username="dac").check_password("dac-secret-2")
    assert set(User.objects.filter(is_staff=True).values_list("username", flat=True)) == {"dev", "dac"}


def test_init_aristobot_prints_a_generated_password_once(monkeypatch, capsys) -> None:
    monkeypatch.delenv("ARISTOBOT_DEV_PASSWORD", raising=False)
    monkeypatch.delenv("ARISTOBOT_DAC_PASSWORD", raising=False)
    call_command("init_aristobot")
    first = capsys.readouterr().out
    password = first.split("« dev » (administrateur) créé, mot de passe : ")[1].split()[0]
    assert User.objects.get(username="dev").check_password(password)
    call_command("init_aristobot")
    assert password not in capsys.readouterr().out


@override_settings(DEBUG_ARISTOBOT=True)
def test_debug_mode_logs_in_dev_and_relogs_after_logout() -> None:
    user_create(username="dev", password="motdepasse-solide-42")
    client = APIClient(enforce_csrf_checks=True)
    me = client.get("/api/auth/me/").json()
    assert me["debug_aristobot"] is True
    assert me["user"]["username"] == "dev" and me["user"]["is_dev"] is True
    token = client.cookies["csrftoken"].value
    assert client.post("/api/auth/logout/", HTTP_X_CSRFTOKEN=token).status_code == 200
    assert client.get("/api/auth/me/").json()["user"]["username"] == "dev"


@override_settings(DEBUG_ARISTOBOT=True)
def test_debug_dev_sees_every_users_rows(make_user) -> None:
    from apps.strategies.services import strategy_create

    make_user("dev")
    bob = make_user("bob")
    strategy_create(user=bob, name="Stratégie de Bob")
    client = APIClient()
    names = [s["name"] for s in client.get("/api/strategies/").json()]
    assert names == ["Stratégie de Bob"]


def test_dev_without_debug_mode_sees_only_own_rows(logged_client, make_user) -> None:
    from apps.strategies.services import strategy_create

    dev = make_user("dev")
    bob = make_user("bob")
    strategy_create(user=bob, name="Stratégie de Bob")
    client = logged_client(dev)
    assert client.get("/api/strategies/").json() == []
