"""Extraction du code et de l'explication dans la réponse texte du modèle (logique pure)."""

from __future__ import annotations

from apps.strategies.ai.extract import extract_answer

STRAT = "class A(Strategy):\n    def should_long(self):\n        return True"


def test_python_fence_is_the_code_and_the_rest_the_explanation() -> None:
    answer = extract_answer(f"Explication.\n\n```python\n{STRAT}\n```\n\nFin.")
    assert answer.code == STRAT + "\n"
    assert answer.explanation == "Explication.\n\nFin."


def test_untagged_or_py_fences_are_accepted() -> None:
    assert extract_answer(f"```\n{STRAT}\n```").code == STRAT + "\n"
    assert extract_answer(f"```py\n{STRAT}\n```").code == STRAT + "\n"


def test_block_declaring_a_strategy_wins_over_snippets_and_other_languages() -> None:
    raw = (f"Installez :\n```bash\npip install x\n```\nExemple :\n```python\nx = 1\n```\n"
           f"Code complet :\n```python\n{STRAT}\n```")
    answer = extract_answer(raw)
    assert answer.code == STRAT + "\n"
    assert "pip install x" in answer.explanation and "x = 1" in answer.explanation


def test_unterminated_fence_runs_to_the_end() -> None:
    assert extract_answer(f"Voici :\n```python\n{STRAT}\n").code == STRAT + "\n"


def test_bare_code_without_fence_is_taken_whole() -> None:
    answer = extract_answer(STRAT)
    assert answer.code == STRAT + "\n" and answer.explanation == ""


def test_no_code_gives_none_and_the_text_as_explanation() -> None:
    answer = extract_answer("Quel timeframe voulez-vous utiliser ?")
    assert answer.code is None
    assert answer.explanation == "Quel timeframe voulez-vous utiliser ?"


def test_reasoning_and_windows_line_endings_are_cleaned() -> None:
    raw = "<think>je réfléchis\nlonguement</think>Voilà.\r\n```python\r\n" + STRAT.replace(
        "\n", "\r\n") + "\r\n```"
    answer = extract_answer(raw)
    assert answer.code == STRAT + "\n"
    assert answer.explanation == "Voilà."
