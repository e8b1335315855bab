"""Messages de l'outillage : une ligne « [étiquette] texte » par message."""

from __future__ import annotations

import sys
from typing import TextIO

RESET = "\033[0m"


def report(
    tag: str,
    message: str,
    *,
    level: str = "",
    stream: TextIO | None = None,
    width: int = 0,
    colour: str | None = None,
) -> None:
    """Écrit « [tag] NIVEAU : message » (sur stderr par défaut) et vide le tampon aussitôt.

    `width` aligne les étiquettes ; `colour` (séquence ANSI) colore l'étiquette.
    """
    label = f"[{tag}]".ljust(width)
    if colour is not None:
        label = f"{colour}{label}{RESET}"
    text = f"{level} : {message}" if level else message
    print(f"{label} {text}", file=stream or sys.stderr, flush=True)
