"""La stratégie passe-t-elle la validation ? Résultat mémorisé par empreinte du code.

La liste des stratégies marque celles dont le code est invalide, et une activation (Trading BOT)
est refusée tant que le code ne passe pas : les deux passent par `strategy_validity`. La
validation (compilation puis une exécution dans le bac à sable, ~10 ms à chaud) est déterministe
pour un même code, sauf les échecs liés à la machine (délai, mémoire, plantage du bac à sable) :
ceux-là ne sont mémorisés qu'une minute (une boucle infinie ne coûte pas 5 s à chaque lecture de
la liste, et une machine surchargée est retentée bientôt).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from typing import Any

from apps.core.exceptions import AristobotError
from apps.strategies.models import Strategy
from apps.strategies.runtime.validation import validate_code

CACHE_SIZE = 512
MACHINE_ERROR_TTL = 60.0  # secondes
# Erreurs qui tiennent au code lui-même (et non à la charge de la machine) : mémorisables.
CODE_ERROR_KINDS = frozenset({"syntax", "load", "runtime", "result"})

_cache: OrderedDict[str, tuple[dict[str, Any], float]] = OrderedDict()  # verdict, expiration
_lock = threading.Lock()


def _fingerprint(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()


def strategy_validity(*, code: str) -> dict[str, Any]:
    """`{"ok": True}` ou `{"ok": False, "error": …, "line": …, "kind": …}` (sans journaux)."""
    key = _fingerprint(code)
    now = time.monotonic()
    with _lock:
        known = _cache.get(key)
        if known is not None and known[1] > now:
            _cache.move_to_end(key)
            return dict(known[0])
    result = validate_code(code)
    verdict: dict[str, Any] = (
        {"ok": True} if result.ok
        else {"ok": False, "error": result.error, "line": result.line, "kind": result.kind}
    )
    lasting = result.ok or result.kind in CODE_ERROR_KINDS
    with _lock:
        _cache[key] = (verdict, math.inf if lasting else time.monotonic() + MACHINE_ERROR_TTL)
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return dict(verdict)


def strategy_activation_check(*, strategy: Strategy) -> None:
    """Refuse (400, en français, avec la ligne) d'activer une stratégie dont le code est invalide."""
    verdict = strategy_validity(code=strategy.code)
    if verdict["ok"]:
        return
    line = verdict.get("line")
    where = f" (ligne {line})" if line else ""
    error = str(verdict.get("error") or "erreur inconnue").rstrip(". ")
    raise AristobotError(
        f"La stratégie « {strategy.name} » ne passe pas la validation{where} : {error}. "
        "Corrigez-la dans la page Stratégies (« Tester la syntaxe ») avant de l'activer.",
        errors={"strategy": [f"Code invalide{where} : {error}."]},
        code="strategy_invalid",
        extra={"line": line},
    )
