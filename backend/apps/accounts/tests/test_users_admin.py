"""Gestion des utilisateurs (`/api/users/`) : réservée aux administrateurs, limite de 5 tenue par la
base quel que soit le créateur, désactivation et nouveau mot de passe qui coupent les sessions,
suppression confirmée d'un compte qui trade encore."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from apps.accounts.models import User
from apps.core.tests.exchange_fixtures import make_broker  # noqa: F401
from apps.trading_engine.models import ActiveStrategy
from apps.trading_engine.tests.engine_support import make_active  # noqa: F401

PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def admin_client(make_user, logged_client):  # noqa: ANN001, ANN201
    return logged_client(make_user("chef", is_staff=True))


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body"), [
    ("get", "/api/users/", None),
    ("post", "/api/users/", {"username": "intrus", "password": PASSWORD}),
    ("patch", "/api/users/{id}/", {"is_staff": True}),
    ("post", "/api/users/{id}/password/", {"password": "Nouveau-Passe-2026"}),
    ("delete", "/api/users/{id}/", None),
])
def test_a_non_administrator_cannot_manage_users(logged_client, make_user, method, path, body) -> None:  # noqa: ANN001
    plain = logged_client()
    target = make_user("cible")
    response = getattr(plain, method)(path.format(id=target.pk), body, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Réservé aux administrateurs."}
    assert User.objects.filter(pk=target.pk, is_staff=False).exists()
    assert not User.objects.filter(username="intrus").exists()


@pytest.mark.django_db
def test_anonymous_requests_are_refused(api_client) -> None:  # noqa: ANN001
    assert api_client.get("/api/users/").status_code == 403


@pytest.mark.django_db
def test_administrator_lists_creates_and_sees_roles(admin_client) -> None:  # noqa: ANN001
    created = admin_client.post("/api/users/", {"username": "bob", "password": PASSWORD,
                                                "is_staff": False}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["username"] == "bob" and created.json()["is_staff"] is False
    rows = {row["username"]: row for row in admin_client.get("/api/users/").json()}
    assert set(rows) == {"chef", "bob"}
    assert rows["chef"]["is_self"] is True and rows["chef"]["is_staff"] is True
    assert rows["bob"]["live_strategies"] == 0 and "password" not in rows["bob"]
    assert User.objects.get(username="bob").check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "fragment"), [
    ({"username": "avec espace", "password": PASSWORD}, "sans espace"),
    ({"username": "x" * 151, "password": PASSWORD}, "username"),
    ({"username": "court", "password": "123"}, "Mot de passe refusé"),
    ({"username": "court", "password": "court"}, "Mot de passe refusé"),
    ({"username": "chef", "password": PASSWORD}, "existe déjà"),
    ({"username": "ok"}, "password"),
])
def test_bad_user_creation_gets_a_french_error(admin_client, body, fragment) -> None:  # noqa: ANN001
    response = admin_client.post("/api/users/", body, format="json")
    assert response.status_code in (400, 409), response.content
    assert fragment in response.json()["detail"]


@pytest.mark.django_db
def test_the_sixth_user_is_refused_by_the_api_with_a_french_409(admin_client) -> None:  # noqa: ANN001
    for name in ("u1", "u2", "u3", "u4"):
        assert admin_client.post("/api/users/", {"username": name, "password": PASSWORD},
                                 format="json").status_code == 201
    response = admin_client.post("/api/users/", {"username": "u5", "password": PASSWORD}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "Limite atteinte : Aristobot accepte au maximum 5 utilisateurs."
    assert User.objects.count() == 5


@pytest.mark.django_db
def test_the_cap_holds_in_the_database_whatever_creates_the_user(make_user) -> None:  # noqa: ANN001
    for index in range(5):
        make_user(f"u{index}")
    with pytest.raises(IntegrityError, match="au maximum 5 utilisateurs"), transaction.atomic():
        User.objects.create_user(username="contournement", password=PASSWORD)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO users (username, password, is_superuser, is_staff, is_active, "
                       "first_name, last_name, email, date_joined, ai_provider, ai_api_key, "
                       "openrouter_model, ollama_url, ollama_model, theme, display_timezone) VALUES "
                       "('sql', '', false, false, true, '', '', '', now(), 'none', '', '', '', '', "
                       "'dark', 'UTC')")
    with pytest.raises(CommandError, match="au maximum 5 utilisateurs"):
        call_command("createsuperuser", "--noinput", "--username", "root2", "--email", "r@x.fr")
    assert User.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_simultaneous_creations_never_exceed_the_cap() -> None:
    from apps.accounts.services import user_create

    for index in range(3):
        user_create(username=f"u{index}", password=PASSWORD)
    results: list[str] = []

    def create(name: str, raw: bool) -> None:
        try:
            if raw:
                User.objects.create_user(username=name, password=PASSWORD)
            else:
                user_create(username=name, password=PASSWORD)
            results.append("ok")
        except Exception as exc:  # noqa: BLE001
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(f"n{i}", i % 2 == 0)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("ok") == 2 and User.objects.count() == 5, results


@pytest.mark.django_db
def test_a_disabled_user_can_no_longer_log_in_nor_use_an_open_session(admin_client, make_user,
                                                                        logged_client, api_client) -> None:  # noqa: ANN001
    bob = make_user("bob")
    session = logged_client(bob)
    assert session.get("/api/strategies/").status_code == 200
    response = admin_client.patch(f"/api/users/{bob.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert session.get("/api/strategies/").status_code == 403
    api_client.get("/api/auth/me/")
    login = api_client.post("/api/auth/login/", {"username": "bob", "password": PASSWORD}, format="json",
                            HTTP_X_CSRFTOKEN=api_client.cookies["csrftoken"].value)
    assert login.status_code == 400
    assert admin_client.patch(f"/api/users/{bob.pk}/", {"is_active": True},
                              format="json").json()["is_active"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body", "word"), [
    ("patch", "/api/users/{id}/", {"is_active": False}, "désactiver"),
    ("patch", "/api/users/{id}/", {"is_staff": False}, "retirer"),
    ("delete", "/api/users/{id}/", None, "supprimer"),
])
def test_an_administrator_cannot_lock_themselves_out(admin_client, method, path, body, word) -> None:  # noqa: ANN001
    me = User.objects.get(username="chef")
    response = getattr(admin_client, method)(path.format(id=me.pk), body, format="json")
    assert response.status_code == 409 and word in response.json()["detail"]
    me.refresh_from_db()
    assert me.is_active and me.is_staff


@pytest.mark.django_db
def test_a_password_reset_replaces_the_password_and_ends_sessions(admin_client, make_user,
                                                                   logged_client) -> None:  # noqa: ANN001
    bob = make_user("bob")
    session = logged_client(bob)
    weak = admin_client.post(f"/api/users/{bob.pk}/password/", {"password": "123"}, format="json")
    assert weak.status_code == 400 and "Mot de passe refusé" in weak.json()["detail"]
    done = admin_client.post(f"/api/users/{bob.pk}/password/", {"password": "Nouveau-Passe-2026"},
                             format="json")
    assert done.status_code == 200 and "Nouveau-Passe-2026" not in done.content.decode()
    bob.refresh_from_db()
    assert bob.check_password("Nouveau-Passe-2026") and not bob.check_password(PASSWORD)
    assert session.get("/api/strategies/").status_code == 403


@pytest.mark.django_db
def test_deleting_a_user_with_live_strategies_asks_first_then_stops_them(
        admin_client, make_user, make_broker, make_active) -> None:  # noqa: ANN001, F811
    bob = make_user("bob")
    broker = make_broker(user=bob)
    active = make_active(broker=broker)
    assert admin_client.get("/api/users/").json()[0]["live_strategies"] == 1  # bob (trié par nom)
    asked = admin_client.delete(f"/api/users/{bob.pk}/")
    assert asked.status_code == 409
    body = asked.json()
    assert body["code"] == "user_has_live_strategies" and body["live_strategies"] == 1
    assert "confirmez la suppression" in body["detail"]
    assert ActiveStrategy.objects.filter(pk=active.pk, is_active=True).exists()
    done = admin_client.delete(f"/api/users/{bob.pk}/?confirm=1")
    assert done.status_code == 204
    assert not User.objects.filter(pk=bob.pk).exists()
    assert not ActiveStrategy.objects.filter(pk=active.pk).exists()


@pytest.mark.django_db
def test_deleting_a_quiet_user_needs_no_confirmation(admin_client, make_user) -> None:  # noqa: ANN001
    bob = make_user("bob")
    assert admin_client.delete(f"/api/users/{bob.pk}/").status_code == 204
    assert admin_client.delete(f"/api/users/{bob.pk}/").status_code == 404
    assert admin_client.delete("/api/users/abc/").status_code == 404
