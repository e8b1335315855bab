"""Messages de l'outillage : une ligne « [étiquette] texte » par message."""

from __future__ import annotations

import sys
from typing import TextIO


def report(tag: str, message: str, *, level: str = "", stream: TextIO | None = None) -> None:
    """Écrit « [tag] NIVEAU : message » (sur stderr par défaut) et vide le tampon aussitôt."""
    text = f"{level} : {message}" if level else message
    print(f"[{tag}] {text}", file=stream or sys.stderr, flush=True)
