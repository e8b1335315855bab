"""Schemathesis sur tout `/api/schema/`, connecté : aucune réponse 5xx, quelle que soit l'entrée.

Chaque opération reçoit des requêtes générées depuis le schéma OpenAPI (valeurs valides, puis
invalides : types faux, chaînes démesurées, caractères nuls, nombres extrêmes…) par un utilisateur
connecté (session + CSRF), contre la vraie base et le simulateur d'exchange. Nombre d'exemples
borné pour la CI (ARISTOBOT_FUZZ_EXAMPLES, 8 par défaut ; plus en local pour chercher plus loin),
exemples dérandomisés : une CI rouge se rejoue à l'identique.

Sont exclus les deux appels qui joignent l'IA de l'utilisateur (OpenRouter/Ollama) : leur réponse
502/504 « fournisseur injoignable » est voulue ; leurs entrées sont couvertes par
`strategies/tests/test_ai_*.py`.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, threaded_sim  # noqa: F401

EXAMPLES = int(os.environ.get("ARISTOBOT_FUZZ_EXAMPLES", "8"))
EXCLUDED = ("/api/ai/test/", "/api/strategies/assist/")


@pytest.fixture(scope="module")
def api_schema(django_db_blocker):  # noqa: ANN001, ANN201
    # La requête WSGI du schéma déclenche `close_old_connections` : si un test précédent a
    # laissé une connexion ouverte, elle est touchée ; le bloqueur de pytest-django l'interdirait
    # dans une fixture de module (échec selon l'ordre des tests).
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


schema = schemathesis.pytest.from_fixture("api_schema")


PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def session(threaded_sim, make_user, make_broker):  # noqa: ANN001, ANN201, F811
    """Connexion neuve à chaque requête générée : une requête précédente a pu déconnecter,
    désactiver, supprimer l'utilisateur ou changer son mot de passe (c'est permis)."""
    from apps.accounts.models import User

    make_broker(user=make_user("fuzz", is_staff=True))
    current: dict[str, dict[str, str]] = {}

    def login() -> dict[str, dict[str, str]]:
        from apps.core.ratelimit import clear_all

        clear_all()  # les essais de connexion générés ont pu épuiser les échecs tolérés
        if current:
            probe = Client()
            for name, value in current["cookies"].items():
                probe.cookies[name] = value
            if probe.get("/api/auth/me/").json().get("authenticated"):
                return current
        user = User.objects.filter(username="fuzz").first()
        if user is None:
            user = make_user("fuzz", is_staff=True)
        user.is_active, user.is_staff = True, True
        user.set_password(PASSWORD)
        user.save()
        client = Client()
        client.get("/api/auth/me/")
        token = client.cookies["csrftoken"].value
        response = client.post("/api/auth/login/", {"username": "fuzz", "password": PASSWORD},
                               content_type="application/json", HTTP_X_CSRFTOKEN=token)
        assert response.status_code == 200, response.content
        cookies = {name: morsel.value for name, morsel in client.cookies.items()}
        current.update(cookies=cookies, headers={"X-CSRFToken": cookies["csrftoken"]})
        return current

    return login


@schema.exclude(path=list(EXCLUDED)).parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck))
@pytest.mark.django_db(transaction=True)
def test_no_input_makes_the_api_answer_5xx(case, session) -> None:  # noqa: ANN001
    auth = session()
    response = case.call(headers=auth["headers"], cookies=auth["cookies"])
    if os.environ.get("FUZZ_DEBUG"):  # une ligne par requête : statistiques à la main
        print("FUZZ", case.method, case.formatted_path, response.status_code,
              response.text[:150].replace("\n", " "))
    case.validate_response(response, checks=[not_a_server_error])
