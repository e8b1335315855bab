"""`POST /api/strategies/assist/` contre un faux OpenRouter / Ollama parlant les vrais protocoles."""

from __future__ import annotations

import logging

import pytest

from apps.strategies.ai.config import AI_DISABLED_MESSAGE
from apps.strategies.runtime.pool import StrategyPool
from apps.strategies.templates import STRATEGY_TEMPLATE
from apps.strategies.tests.fake_ai_server import VALID_KEY as KEY
from apps.strategies.tests.fake_ai_server import FakeAiServer, closed_port_url

ASSIST = "/api/strategies/assist/"
PROMPT = "Achète quand l'EMA 10 croise l'EMA 20 à la hausse, stop à 2 %."


@pytest.fixture(autouse=True)
def _sandbox(sandbox_pool: StrategyPool) -> None:
    """Le code proposé est validé dans le pool de test (déjà chaud)."""


def openrouter_user(make_user, key: str = KEY, **fields):  # noqa: ANN001, ANN201
    return make_user(ai_provider="openrouter", ai_api_key=key, **fields)


def ollama_user(make_user, url: str, **fields):  # noqa: ANN001, ANN201
    return make_user(ai_provider="ollama", ollama_url=url, ollama_model="llama3.1", **fields)


def test_openrouter_answer_code_is_extracted_and_validated(logged_client, make_user,  # noqa: ANN001
                                                           fake_ai: FakeAiServer) -> None:
    client = logged_client(openrouter_user(make_user))
    resp = client.post(ASSIST, {"prompt": PROMPT, "code": STRATEGY_TEMPLATE}, format="json")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["code"].startswith("import pandas_ta as ta\n\nclass CroisementEma(Strategy):")
    assert "```" not in body["code"] and "```" not in body["explanation"]
    assert body["explanation"].startswith("Voici une stratégie de croisement EMA 10 / EMA 20")
    assert body["explanation"].endswith("La taille de position vaut 10 % du solde.")
    assert (body["provider"], body["model"]) == ("openrouter", "openai/gpt-4o-mini")
    assert body["validation"]["ok"] is True and body["validation"]["class_name"] == "CroisementEma"

    [call] = fake_ai.requests
    assert (call.method, call.path) == ("POST", "/api/v1/chat/completions")
    assert call.headers["Authorization"] == f"Bearer {KEY}"
    assert call.body["model"] == "openai/gpt-4o-mini"
    system, user = call.body["messages"]
    assert system["role"] == "system" and "import pandas_ta as ta" in system["content"]
    assert "devise de cotation" in system["content"] and "0.02 = 2 %" in system["content"]
    assert user["role"] == "user"
    assert STRATEGY_TEMPLATE.rstrip() in user["content"] and PROMPT in user["content"]


def test_ollama_answer_uses_api_chat_without_streaming(logged_client, make_user,  # noqa: ANN001
                                                       fake_ai: FakeAiServer) -> None:
    client = logged_client(ollama_user(make_user, fake_ai.url + "/"))
    resp = client.post(ASSIST, {"prompt": PROMPT}, format="json")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert "class CroisementEma(Strategy):" in body["code"]
    assert (body["provider"], body["model"]) == ("ollama", "llama3.1")
    [call] = fake_ai.requests
    assert (call.method, call.path) == ("POST", "/api/chat")
    assert call.body["stream"] is False and call.body["model"] == "llama3.1"
    assert "Authorization" not in call.headers
    # Sans code, le modèle reçoit le template de base.
    assert "class MaNouvelleStrategie(Strategy):" in call.body["messages"][1]["content"]


def test_refused_openrouter_key_gives_french_502(logged_client, make_user,  # noqa: ANN001
                                                 fake_ai: FakeAiServer) -> None:
    client = logged_client(openrouter_user(make_user, key="sk-or-v1-revoquee"))
    resp = client.post(ASSIST, {"prompt": PROMPT}, format="json")
    assert resp.status_code == 502
    detail = resp.json()["detail"]
    assert detail.startswith("OpenRouter a refusé la clé API (401) : vérifiez-la dans Mon Compte.")
    assert "sk-or-v1-revoquee" not in resp.content.decode()


def test_slow_provider_is_a_french_timeout_504(logged_client, make_user, settings,  # noqa: ANN001
                                               fake_ai: FakeAiServer) -> None:
    settings.ARISTOBOT_AI_TIMEOUT_S = 0.5
    fake_ai.delay = 3.0
    client = logged_client(openrouter_user(make_user))
    resp = client.post(ASSIST, {"prompt": PROMPT}, format="json")
    assert resp.status_code == 504
    assert resp.json()["detail"].startswith(
        "Délai dépassé en attendant l'IA (OpenRouter, 0.5 s)"
    )


def test_unreachable_ollama_names_its_url(logged_client, make_user) -> None:  # noqa: ANN001
    url = closed_port_url()
    resp = logged_client(ollama_user(make_user, url)).post(ASSIST, {"prompt": PROMPT},
                                                           format="json")
    assert resp.status_code == 502
    assert resp.json()["detail"].startswith(f"Ollama injoignable à {url} : ")


def test_unknown_ollama_model_suggests_pull(logged_client, make_user,  # noqa: ANN001
                                            fake_ai: FakeAiServer) -> None:
    user = make_user(ai_provider="ollama", ollama_url=fake_ai.url, ollama_model="mistral")
    resp = logged_client(user).post(ASSIST, {"prompt": PROMPT}, format="json")
    assert resp.status_code == 502
    assert resp.json()["detail"].startswith(
        "Ollama ne connaît pas le modèle « mistral » (404) : lancez « ollama pull mistral »."
    )


@pytest.mark.parametrize(("status", "start"), [
    (402, "OpenRouter : crédits insuffisants (402)"),
    (429, "OpenRouter : trop de requêtes (429), réessayez dans un instant."),
    (503, "OpenRouter a répondu 503 (erreur côté fournisseur), réessayez plus tard."),
])
def test_provider_http_errors_are_french(logged_client, make_user, fake_ai: FakeAiServer,  # noqa: ANN001
                                         status: int, start: str) -> None:
    fake_ai.force_status = status
    fake_ai.force_body = {"error": {"code": status, "message": "upstream says no"}}
    resp = logged_client(openrouter_user(make_user)).post(ASSIST, {"prompt": PROMPT},
                                                          format="json")
    assert resp.status_code == 502
    detail = resp.json()["detail"]
    assert detail.startswith(start) and "upstream says no" not in detail  # corps distant jamais recopié


def test_error_inside_a_200_answer_is_reported(logged_client, make_user,  # noqa: ANN001
                                               fake_ai: FakeAiServer) -> None:
    fake_ai.force_status = 200
    fake_ai.force_body = {"error": {"code": 502, "message": "Provider returned error"}}
    resp = logged_client(openrouter_user(make_user)).post(ASSIST, {"prompt": PROMPT},
                                                          format="json")
    assert resp.status_code == 502
    detail = resp.json()["detail"]
    assert detail.startswith("OpenRouter a renvoyé une erreur pour le modèle")
    assert "Provider returned error" not in detail


def test_disabled_assistant_is_409_without_any_call(logged_client, make_user,  # noqa: ANN001
                                                    fake_ai: FakeAiServer) -> None:
    resp = logged_client(make_user()).post(ASSIST, {"prompt": PROMPT}, format="json")
    assert resp.status_code == 409
    assert resp.json() == {"detail": AI_DISABLED_MESSAGE, "code": "ai_disabled"}
    assert fake_ai.requests == []


def test_openrouter_without_key_is_a_french_400(logged_client, make_user) -> None:  # noqa: ANN001
    resp = logged_client(openrouter_user(make_user, key="")).post(ASSIST, {"prompt": PROMPT},
                                                                  format="json")
    assert resp.status_code == 400
    assert resp.json()["detail"].startswith("Aucune clé API OpenRouter enregistrée")


def test_answer_without_code_returns_the_question(logged_client, make_user,  # noqa: ANN001
                                                  fake_ai: FakeAiServer) -> None:
    fake_ai.answer = "Sur quel timeframe voulez-vous trader ?"
    body = logged_client(openrouter_user(make_user)).post(
        ASSIST, {"prompt": "une stratégie"}, format="json").json()
    assert body["code"] is None and body["validation"] is None
    assert body["explanation"] == "Sur quel timeframe voulez-vous trader ?"


def test_invalid_generated_code_comes_with_its_validation_error(logged_client, make_user,  # noqa: ANN001
                                                                fake_ai: FakeAiServer) -> None:
    fake_ai.answer = "```python\nclass A(Strategy):\n    def should_long(self)\n        return 1\n```"
    body = logged_client(openrouter_user(make_user)).post(
        ASSIST, {"prompt": PROMPT}, format="json").json()
    assert body["code"].startswith("class A(Strategy):")
    assert body["validation"]["ok"] is False and body["validation"]["line"] == 2


def test_each_user_reaches_the_provider_with_their_own_settings(logged_client, make_user,  # noqa: ANN001
                                                                fake_ai: FakeAiServer) -> None:
    fake_ai.openrouter_keys = {"sk-or-v1-alice", "sk-or-v1-bob"}
    with FakeAiServer() as carols_ollama:
        alice = logged_client(openrouter_user(make_user, key="sk-or-v1-alice", username="alice"))
        bob = logged_client(openrouter_user(make_user, key="sk-or-v1-bob", username="bob"))
        carol = logged_client(ollama_user(make_user, carols_ollama.url, username="carol"))
        for client in (alice, bob, alice, carol):
            assert client.post(ASSIST, {"prompt": PROMPT}, format="json").status_code == 200
        carol_calls = list(carols_ollama.requests)
    assert [r.headers["Authorization"] for r in fake_ai.requests] == [
        "Bearer sk-or-v1-alice", "Bearer sk-or-v1-bob", "Bearer sk-or-v1-alice"]
    assert [(r.path, "Authorization" in r.headers) for r in carol_calls] == [("/api/chat", False)]


def test_api_key_never_appears_in_responses_or_logs(logged_client, make_user, caplog,  # noqa: ANN001
                                                    fake_ai: FakeAiServer) -> None:
    caplog.set_level(logging.DEBUG)
    user = openrouter_user(make_user, key="sk-or-v1-tres-secrete")
    fake_ai.openrouter_keys = {"sk-or-v1-tres-secrete"}
    client = logged_client(user)
    contents = [client.post(ASSIST, {"prompt": PROMPT}, format="json").content]
    contents.append(client.post("/api/ai/test/", {}, format="json").content)
    contents.append(client.get("/api/auth/me/").content)
    # Un fournisseur qui renverrait la clé dans son message d'erreur : rien n'en est recopié.
    fake_ai.force_status = 401
    fake_ai.force_body = {"error": {"message": "Invalid key sk-or-v1-tres-secrete"}}
    refused = client.post(ASSIST, {"prompt": PROMPT}, format="json")
    contents.append(refused.content)
    assert refused.json()["detail"].startswith("OpenRouter a refusé la clé API (401)")
    for content in contents:
        assert "sk-or-v1-tres-secrete" not in content.decode()
    assert caplog.records and "sk-or-v1-tres-secrete" not in caplog.text


def test_prompt_is_required_and_login_too(logged_client, make_user, api_client) -> None:  # noqa: ANN001
    resp = logged_client(openrouter_user(make_user)).post(ASSIST, {"code": "x"}, format="json")
    assert resp.status_code == 400 and "prompt" in resp.json()["errors"]
    assert api_client.post(ASSIST, {"prompt": PROMPT}, format="json").status_code in (401, 403)
