"""Extraction du code Python et de l'explication dans la réponse texte du modèle."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Bloc ``` [langage] … ``` ; un bloc non refermé (réponse tronquée) court jusqu'à la fin.
_FENCE_RE = re.compile(r"```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:\n[ \t]*```[^\n]*|\Z)", re.S)
# Raisonnement affiché par certains modèles (deepseek-r1, qwq…) : jamais montré à l'utilisateur.
_THINK_RE = re.compile(r"<think>.*?(?:</think>|\Z)", re.S | re.I)
_CLASS_RE = re.compile(r"^\s*class\s+\w+\s*\(", re.M)
_PYTHON_TAGS = {"python", "py", "python3", "py3"}


@dataclass(frozen=True)
class AssistantAnswer:
    code: str | None
    explanation: str


def _looks_like_strategy(text: str) -> bool:
    return bool(_CLASS_RE.search(text)) and "Strategy" in text


def _score(lang: str, body: str) -> tuple[int, int, int]:
    return (int(_looks_like_strategy(body)), int(lang in _PYTHON_TAGS), len(body))


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def extract_answer(raw: str) -> AssistantAnswer:
    """Sépare le code (le meilleur bloc Python) de l'explication.

    Préfère un bloc qui déclare une classe héritant de `Strategy`, puis un bloc marqué
    ```python, puis le plus long. Sans bloc, une réponse qui est entièrement du code est prise
    telle quelle ; sinon `code` vaut None (le modèle a peut-être posé une question).
    """
    text = _THINK_RE.sub("", raw.replace("\r\n", "\n")).strip()
    candidates = [
        match for match in _FENCE_RE.finditer(text)
        if match.group(1).lower() in _PYTHON_TAGS or match.group(1) == ""
    ]
    if candidates:
        best = max(candidates, key=lambda m: _score(m.group(1).lower(), m.group(2)))
        code = best.group(2).strip("\n").rstrip() + "\n"
        explanation = text[: best.start()] + "\n\n" + text[best.end():]
        return AssistantAnswer(code=code, explanation=_tidy(explanation))
    if _looks_like_strategy(text) and _compiles(text):
        return AssistantAnswer(code=text.rstrip() + "\n", explanation="")
    return AssistantAnswer(code=None, explanation=_tidy(text))


def _compiles(text: str) -> bool:
    try:
        compile(text, "<ia>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True
