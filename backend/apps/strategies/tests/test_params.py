"""Paramètres d'une stratégie : attributs de classe numériques, détectés sans exécuter le code."""

from __future__ import annotations

import pytest

from apps.strategies.runtime.params import strategy_parameters
from apps.strategies.templates import EMA_CROSS_EXAMPLE, SPEC_EMA_CROSS_EXAMPLE, STRATEGY_TEMPLATE


def test_the_ema_example_exposes_fast_and_slow() -> None:
    params = strategy_parameters(EMA_CROSS_EXAMPLE)
    found = [(p["name"], p["default"], p["type"]) for p in params]
    assert found == [("fast", 10, "int"), ("slow", 20, "int")]
    assert all(p["line"] > 0 for p in params)


def test_the_template_and_the_spec_example_have_none() -> None:
    assert strategy_parameters(STRATEGY_TEMPLATE) == []
    assert strategy_parameters(SPEC_EMA_CROSS_EXAMPLE) == []


def test_only_numeric_public_class_attributes_count() -> None:
    code = (
        "import math\n"
        "LIMITE = 5\n"  # module, pas classe
        "class Autre:\n    x = 1\n"
        "class S(Strategy):\n"
        "    fast = 10\n"
        "    ratio: float = 0.25\n"
        "    recul = -3\n"
        "    actif = True\n"  # booléen : pas un paramètre
        "    nom = 'ema'\n"
        "    _interne = 4\n"
        "    a = b = 2\n"  # affectation multiple : ignorée
        "    calcul = 2 * 3\n"  # expression : ignorée
        "    enorme = 1e999\n"  # infini : ignoré
        "    slow = 20\n"
        "    slow = 'x'\n"  # réaffecté : plus un paramètre
        "    def should_long(self):\n        seuil = 3\n        return False\n"
    )
    params = {p["name"]: (p["default"], p["type"]) for p in strategy_parameters(code)}
    assert params == {"fast": (10, "int"), "ratio": (0.25, "float"), "recul": (-3, "int")}


def test_broken_or_classless_code_has_no_parameters() -> None:
    assert strategy_parameters("class S(Strategy)\n    fast = 1\n") == []
    assert strategy_parameters("x = 1\n") == []
    assert strategy_parameters("\x00") == []
    assert strategy_parameters("(" * 5000) == []


@pytest.fixture
def _sandbox(sandbox_pool):  # noqa: ANN001, ANN202
    """L'API utilise le pool de test (déjà chaud)."""


@pytest.mark.django_db
@pytest.mark.usefixtures("_sandbox")
def test_the_api_lists_the_parameters_of_the_stored_and_of_the_tested_code(logged_client) -> None:  # noqa: ANN001
    client = logged_client()
    created = client.post("/api/strategies/", {"name": "EMA", "code": EMA_CROSS_EXAMPLE}, format="json")
    assert [p["name"] for p in created.json()["parameters"]] == ["fast", "slow"]
    listed = client.get("/api/strategies/").json()[0]["parameters"]
    assert listed[0] == {"name": "fast", "default": 10, "type": "int", "line": listed[0]["line"]}
    tested = client.post("/api/strategies/validate/", {"code": "class S(Strategy):\n    seuil = 0.5\n"},
                         format="json").json()
    assert tested["ok"] is True and tested["parameters"][0]["default"] == 0.5
