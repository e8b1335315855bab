"""« Non fourni » pour les services de mise à jour partielle.

Un PATCH ne touche que les champs envoyés ; `None` pouvant être une vraie valeur (date de fin
effacée…), l'absence s'écrit `UNSET`. Les services déclarent leurs champs un par un, typés et
nommés (`*, name: str | Unset = UNSET`), puis gardent ceux qui ont été fournis avec `provided`.
"""

from __future__ import annotations

import enum
from typing import Any


class Unset(enum.Enum):
    UNSET = "unset"

    def __bool__(self) -> bool:
        return False


UNSET = Unset.UNSET


def provided(**values: Any) -> dict[str, Any]:
    """Les valeurs réellement fournies (celles qui ne valent pas `UNSET`)."""
    return {name: value for name, value in values.items() if value is not UNSET}
