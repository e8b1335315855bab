"""SSRF : l'URL d'Ollama n'est qu'un `http(s)://hôte[:port]` ; le client n'appelle que les chemins
connus de l'API ; les messages d'erreur ne recopient jamais le corps distant."""

from __future__ import annotations

import pytest

from apps.strategies.tests.fake_ai_server import FakeAiServer

BAD_URLS = [
    "http://alice:mdp@localhost:11434",
    "http://localhost:11434/api/admin",
    "http://localhost:11434/?x=1",
    "http://localhost:11434/#frag",
    "http://localhost:11434?",
    "file:///etc/passwd",
    "gopher://localhost:6379/_FLUSHALL",
    "http://localhost:99999",
    "http://localhost:0",
    "http://local host:11434",
    "http://localhost:11434\r\nX-Injecte: 1",
    "http://" + "a" * 300 + ":11434",
    "http:///sans-hote",
    "localhost:11434",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", BAD_URLS)
def test_profile_refuses_an_ollama_url_that_is_not_just_a_host(logged_client, url: str) -> None:  # noqa: ANN001
    client = logged_client()
    response = client.patch("/api/auth/me/", {"ollama_url": url}, format="json")
    assert response.status_code == 400, (url, response.content)
    assert response.json()["detail"].startswith("Données invalides — ollama_url : ")
    tested = client.post("/api/ai/test/", {"ai_provider": "ollama", "ollama_url": url}, format="json")
    assert tested.status_code == 400


@pytest.mark.django_db
def test_a_plain_host_and_port_is_accepted_and_normalised(logged_client) -> None:  # noqa: ANN001
    client = logged_client()
    response = client.patch("/api/auth/me/", {"ollama_url": " http://10.0.0.5:11434/ "}, format="json")
    assert response.status_code == 200
    assert response.json()["user"]["ollama_url"] == "http://10.0.0.5:11434"


@pytest.mark.django_db
def test_the_client_only_calls_the_known_api_paths(logged_client, make_user,  # noqa: ANN001
                                                   fake_ai: FakeAiServer) -> None:
    user = make_user(ai_provider="ollama", ollama_url=fake_ai.url, ollama_model="llama3.1")
    client = logged_client(user)
    client.post("/api/ai/test/", {}, format="json")
    client.post("/api/strategies/assist/", {"prompt": "Une stratégie EMA"}, format="json")
    paths = {request.path for request in fake_ai.requests}
    assert paths <= {"/api/tags", "/api/chat"} and paths, paths


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["sk-or\r\nX-Injecte: 1", "clé-avec-accents", "deux mots", "sk\ttab"])
def test_api_keys_with_control_or_non_ascii_characters_are_refused(logged_client, key: str) -> None:  # noqa: ANN001
    client = logged_client()
    response = client.patch("/api/auth/me/", {"ai_provider": "openrouter", "ai_api_key": key},
                            format="json")
    assert response.status_code == 400 and "Clé refusée" in response.json()["detail"]
    broker = client.post("/api/brokers/", {"name": "B", "exchange": "binance", "api_key": key,
                                           "api_secret": "secret-valide"}, format="json")
    assert broker.status_code == 400 and "Clé refusée" in broker.json()["detail"]
