"""API des stratégies : validation du code dans le bac à sable, isolation entre utilisateurs."""

from __future__ import annotations

import pytest

from apps.strategies.models import Strategy
from apps.strategies.runtime.pool import StrategyPool
from apps.strategies.services import strategy_create
from apps.strategies.templates import EMA_CROSS_EXAMPLE, STRATEGY_TEMPLATE

VALIDATE = "/api/strategies/validate/"
DECISIONS = {"should_long", "should_short", "calculate_position_size", "calculate_stop_loss",
             "calculate_take_profit"}


@pytest.fixture(autouse=True)
def _sandbox(sandbox_pool: StrategyPool) -> None:
    """L'API utilise le pool de test (déjà chaud) au lieu du pool du processus."""


def test_new_strategy_starts_from_the_template(logged_client) -> None:  # noqa: ANN001
    client = logged_client()
    resp = client.post("/api/strategies/", {"name": "Ma stratégie"}, format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["code"] == STRATEGY_TEMPLATE


def test_validate_template_is_ok(logged_client) -> None:  # noqa: ANN001
    resp = logged_client().post(VALIDATE, {"code": STRATEGY_TEMPLATE}, format="json")
    assert resp.status_code == 200
    body = resp.json()
    assert body["ok"] is True and body["class_name"] == "MaNouvelleStrategie"
    assert set(body["results"]) == DECISIONS


def test_validate_ema_sample_runs_every_method(logged_client) -> None:  # noqa: ANN001
    body = logged_client().post(VALIDATE, {"code": EMA_CROSS_EXAMPLE}, format="json").json()
    assert body["ok"] is True, body
    assert body["results"]["calculate_position_size"] == pytest.approx(100.0)  # 10 % de 1000
    assert isinstance(body["results"]["should_long"], bool)
    assert (body["results"]["calculate_stop_loss"], body["results"]["calculate_take_profit"]) \
        == (0.02, 0.04)


def test_validate_syntax_error_gives_line(logged_client) -> None:  # noqa: ANN001
    code = STRATEGY_TEMPLATE.replace("def should_short(self) -> bool:", "def should_short(self) ->:")
    line = code.splitlines().index("    def should_short(self) ->:") + 1
    body = logged_client().post(VALIDATE, {"code": code}, format="json").json()
    assert body["ok"] is False and body["line"] == line
    assert body["error"].startswith(f"Erreur de syntaxe ligne {line} : ")


@pytest.mark.parametrize(("code", "error", "line"), [
    ("import talib\n", "Module introuvable ligne 1 : « talib »", 1),
    ("x = 1\n", "Aucune classe héritant de Strategy trouvée", None),
    ("class A(Strategy):\n    def should_long(self):\n        return 'oui'\n",
     "should_long() doit renvoyer un booléen (True/False), reçu str", 2),
    ("class A(Strategy):\n    def calculate_stop_loss(self):\n        return 1 / 0\n",
     "Erreur dans calculate_stop_loss ligne 3 : ZeroDivisionError: division by zero", 3),
    ("", "Le code de la stratégie est vide", None),
])
def test_validate_reports_french_errors(logged_client, code: str, error: str,  # noqa: ANN001
                                        line: int | None) -> None:
    body = logged_client().post(VALIDATE, {"code": code}, format="json").json()
    assert body["ok"] is False
    assert body["error"].startswith(error) and body["line"] == line


def test_validate_infinite_loop_is_a_timeout(logged_client, monkeypatch) -> None:  # noqa: ANN001
    from apps.strategies.runtime import validation

    monkeypatch.setattr(validation, "VALIDATION_TIMEOUT", 1.0)
    code = "class A(Strategy):\n    def should_long(self):\n        while True:\n            pass\n"
    body = logged_client().post(VALIDATE, {"code": code}, format="json").json()
    assert body["ok"] is False and body["kind"] == "timeout"
    assert body["error"].startswith("Délai dépassé")


def test_validate_requires_code_and_login(logged_client, api_client) -> None:  # noqa: ANN001
    resp = logged_client().post(VALIDATE, {}, format="json")
    assert resp.status_code == 400
    assert api_client.post(VALIDATE, {"code": "x"}, format="json").status_code in (401, 403)


def test_validate_stored_strategy(logged_client) -> None:  # noqa: ANN001
    client = logged_client()
    strategy = strategy_create(user=client.user, name="EMA", code=EMA_CROSS_EXAMPLE)
    body = client.post(f"/api/strategies/{strategy.pk}/validate/").json()
    assert body["ok"] is True and body["results"]["calculate_position_size"] == 100.0


def test_user_cannot_touch_another_users_strategy(logged_client, make_user) -> None:  # noqa: ANN001
    alice, bob = make_user("alice"), make_user("bob")
    theirs = strategy_create(user=alice, name="Secrète", code=EMA_CROSS_EXAMPLE)
    client = logged_client(bob)
    url = f"/api/strategies/{theirs.pk}/"
    assert client.get(url).status_code == 404
    assert client.put(url, {"name": "Volée", "code": STRATEGY_TEMPLATE},
                      format="json").status_code == 404
    assert client.patch(url, {"name": "Volée"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    assert client.post(f"{url}validate/").status_code == 404
    assert client.get("/api/strategies/").json() == []
    theirs.refresh_from_db()
    assert theirs.name == "Secrète" and Strategy.objects.filter(pk=theirs.pk).exists()
