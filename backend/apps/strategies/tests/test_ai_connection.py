"""`POST /api/ai/test/` : test de la configuration IA (enregistrée ou saisie dans Mon Compte)."""

from __future__ import annotations

import pytest

from apps.strategies.ai.config import AI_DISABLED_MESSAGE
from apps.strategies.tests.fake_ai_server import VALID_KEY as KEY
from apps.strategies.tests.fake_ai_server import FakeAiServer, closed_port_url

TEST_URL = "/api/ai/test/"


def test_saved_openrouter_config_checks_key_then_model(logged_client, make_user,  # noqa: ANN001
                                                       fake_ai: FakeAiServer) -> None:
    user = make_user(ai_provider="openrouter", ai_api_key=KEY)
    body = logged_client(user).post(TEST_URL, {}, format="json").json()
    assert body == {
        "ok": True, "provider": "openrouter", "model": "openai/gpt-4o-mini",
        "detail": "Connexion OpenRouter réussie : clé valide, modèle « openai/gpt-4o-mini » "
                  "disponible. Crédit restant : 7,50 $.",
    }
    assert fake_ai.paths() == ["GET /api/v1/key", "GET /api/v1/models"]
    assert fake_ai.requests[0].headers["Authorization"] == f"Bearer {KEY}"


def test_typed_values_are_tested_without_being_saved(logged_client, make_user,  # noqa: ANN001
                                                     fake_ai: FakeAiServer) -> None:
    user = make_user()
    body = logged_client(user).post(TEST_URL, {
        "ai_provider": "openrouter", "ai_api_key": KEY, "openrouter_model": "openai/gpt-4o-mini",
    }, format="json").json()
    assert body["ok"] is True, body
    user.refresh_from_db()
    assert (user.ai_provider, user.ai_api_key) == ("none", "")


def test_blank_typed_key_keeps_the_saved_one(logged_client, make_user,  # noqa: ANN001
                                             fake_ai: FakeAiServer) -> None:
    user = make_user(ai_provider="none", ai_api_key=KEY)
    body = logged_client(user).post(
        TEST_URL, {"ai_provider": "openrouter", "ai_api_key": "  "}, format="json").json()
    assert body["ok"] is True, body


def test_refused_key_is_a_failed_check_in_french(logged_client, make_user,  # noqa: ANN001
                                                 fake_ai: FakeAiServer) -> None:
    user = make_user(ai_provider="openrouter", ai_api_key="sk-or-v1-fausse")
    resp = logged_client(user).post(TEST_URL, {}, format="json")
    assert resp.status_code == 200
    body = resp.json()
    assert body["ok"] is False
    assert body["detail"].startswith("OpenRouter a refusé la clé API (401)")
    assert "sk-or-v1-fausse" not in resp.content.decode()


def test_unknown_openrouter_model(logged_client, make_user, fake_ai: FakeAiServer) -> None:  # noqa: ANN001
    user = make_user(ai_provider="openrouter", ai_api_key=KEY, openrouter_model="openai/gpt-9")
    body = logged_client(user).post(TEST_URL, {}, format="json").json()
    assert body["ok"] is False
    assert body["detail"].startswith(
        "Clé OpenRouter valide, mais le modèle « openai/gpt-9 » est inconnu d'OpenRouter")


def test_ollama_model_present(logged_client, make_user, fake_ai: FakeAiServer) -> None:  # noqa: ANN001
    user = make_user(ai_provider="ollama", ollama_url=fake_ai.url, ollama_model="llama3.1")
    body = logged_client(user).post(TEST_URL, {}, format="json").json()
    assert body["ok"] is True
    assert body["detail"] == (f"Connexion Ollama réussie ({fake_ai.url}) : modèle « llama3.1 » "
                              "présent (1 modèle(s) installé(s)).")
    assert fake_ai.paths() == ["GET /api/tags"]


def test_ollama_model_missing_lists_installed_ones(logged_client, make_user,  # noqa: ANN001
                                                   fake_ai: FakeAiServer) -> None:
    fake_ai.ollama_models = ["qwen2.5-coder:7b", "llama3.1:8b"]
    user = make_user(ai_provider="ollama", ollama_url=fake_ai.url, ollama_model="llama3.1")
    body = logged_client(user).post(TEST_URL, {}, format="json").json()
    assert body["ok"] is False
    assert "lancez « ollama pull llama3.1 »" in body["detail"]
    assert body["detail"].endswith("Modèles présents : qwen2.5-coder:7b, llama3.1:8b.")


def test_unreachable_ollama(logged_client, make_user) -> None:  # noqa: ANN001
    url = closed_port_url()
    user = make_user(ai_provider="ollama", ollama_url=url, ollama_model="llama3.1")
    body = logged_client(user).post(TEST_URL, {}, format="json").json()
    assert body["ok"] is False and body["detail"].startswith(f"Ollama injoignable à {url}")


@pytest.mark.parametrize(("payload", "detail"), [
    ({}, AI_DISABLED_MESSAGE),
    ({"ai_provider": "openrouter"}, "Aucune clé API OpenRouter enregistrée"),
])
def test_incomplete_config_fails_without_network(logged_client, make_user, fake_ai,  # noqa: ANN001
                                                 payload: dict, detail: str) -> None:
    body = logged_client(make_user()).post(TEST_URL, payload, format="json").json()
    assert body["ok"] is False and body["detail"].startswith(detail)
    assert fake_ai.requests == []


def test_a_malformed_ollama_url_is_refused_at_input(logged_client, make_user, fake_ai) -> None:  # noqa: ANN001
    response = logged_client(make_user()).post(
        TEST_URL, {"ai_provider": "ollama", "ollama_url": "localhost:11434"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Données invalides — ollama_url : URL invalide")
    assert fake_ai.requests == []


def test_requires_login(api_client) -> None:  # noqa: ANN001
    assert api_client.post(TEST_URL, {}, format="json").status_code in (401, 403)
