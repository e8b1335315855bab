"""Garde « un GET n'écrit jamais » (docs/architecture.md) : les écritures SQL de TOUS les threads.

`CaptureQueriesContext` ne voit que la connexion du thread courant ; or les vues exécutent leurs appels
d'exchange (et ce qu'ils écrivent) sur la boucle dédiée du processus, dans un autre thread. Ce
gestionnaire enveloppe donc l'exécution de requêtes de Django au niveau de la classe :

    with sql_writes() as writes:
        client.get(...)
    assert writes == []
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.backends.utils import CursorWrapper

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE|TRUNCATE)\b", re.IGNORECASE)


@contextmanager
def sql_writes() -> Iterator[list[str]]:
    """Liste (remplie pendant le bloc) des requêtes INSERT/UPDATE/DELETE exécutées, tous threads."""
    writes: list[str] = []
    lock = threading.Lock()
    original = CursorWrapper._execute_with_wrappers

    def _recording(self: CursorWrapper, sql: Any, params: Any, many: bool, executor: Any) -> Any:
        if _WRITE.match(str(sql)):
            with lock:
                writes.append(str(sql)[:300])
        return original(self, sql, params, many, executor)

    CursorWrapper._execute_with_wrappers = _recording  # type: ignore[method-assign]
    try:
        yield writes
    finally:
        CursorWrapper._execute_with_wrappers = original  # type: ignore[method-assign]
