"""Façade synchrone pour les vues Django : `validate_code(code) -> ValidationResult`.

La validation compile le code (dans le processus appelant : `compile()` n'exécute rien), puis le
charge et l'exécute une fois dans un enfant neuf et confiné du bac à sable, sur 300 bougies
synthétiques, en appelant toutes les méthodes de décision et en vérifiant les types renvoyés.
"""

from __future__ import annotations

import atexit
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from apps.strategies.runtime.base import DECISION_METHODS
from apps.strategies.runtime.loader import StrategyLoadError, compile_user_code
from apps.strategies.runtime.pool import DEFAULT_MEMORY_MB, StrategyPool

#: Solde fictif passé à la stratégie pendant la validation (devise de cotation).
SAMPLE_BALANCE = 1000.0
VALIDATION_TIMEOUT = 5.0

_default_pool: StrategyPool | None = None
_default_lock = threading.Lock()


@dataclass
class ValidationResult:
    ok: bool
    class_name: str | None = None
    results: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    line: int | None = None
    kind: str | None = None
    duration_ms: float = 0.0
    logs: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Corps de la réponse HTTP de `POST /api/strategies/validate/`."""
        if self.ok:
            return {"ok": True, "class_name": self.class_name, "results": self.results,
                    "logs": self.logs, "duration_ms": round(self.duration_ms, 1)}
        return {"ok": False, "error": self.error, "line": self.line, "kind": self.kind,
                "logs": self.logs}


def default_pool() -> StrategyPool:
    """Pool partagé du processus (2 validations simultanées ; processus modèle démarré au premier
    appel, arrêté à la sortie).

    Plafond mémoire : variable d'environnement ARISTOBOT_STRATEGY_MEMORY_MB (1024 par défaut).
    """
    global _default_pool
    with _default_lock:
        if _default_pool is None:
            memory_mb = int(os.environ.get("ARISTOBOT_STRATEGY_MEMORY_MB", DEFAULT_MEMORY_MB))
            _default_pool = StrategyPool(size=2, memory_mb=memory_mb, name="validation")
            atexit.register(_default_pool.close)
        return _default_pool


def validate_code(code: str, *, pool: StrategyPool | None = None,
                  timeout: float | None = None) -> ValidationResult:
    """Vérifie qu'une stratégie compile, se charge et renvoie des valeurs du bon type."""
    if not code.strip():
        return ValidationResult(ok=False, error="Le code de la stratégie est vide", kind="syntax")
    try:
        compile_user_code(code)
    except StrategyLoadError as exc:
        return ValidationResult(ok=False, error=exc.message, line=exc.line, kind=exc.kind)
    decision = (pool or default_pool()).run_sync(
        code, None, SAMPLE_BALANCE, None, calls=DECISION_METHODS,
        timeout=VALIDATION_TIMEOUT if timeout is None else timeout,
    )
    if not decision.ok:
        return ValidationResult(ok=False, class_name=decision.class_name, error=decision.error,
                                line=decision.error_line, kind=decision.error_kind,
                                duration_ms=decision.duration_ms, logs=decision.logs)
    return ValidationResult(ok=True, class_name=decision.class_name, results=decision.results,
                            duration_ms=decision.duration_ms, logs=decision.logs)


def sandbox_status(*, pool: StrategyPool | None = None) -> dict[str, Any]:
    """Confinement constaté par le processus modèle (démarré au besoin), en données publiques."""
    pool = pool or default_pool()
    pool.start()
    report = pool.containment
    if not report:
        return {"level": "aucun", "platform": "", "seccomp": False, "landlock_abi": 0,
                "dedicated_uid": False, "verified": False, "problems": {},
                "message": "Le bac à sable des stratégies n'a pas pu démarrer : les stratégies ne "
                           "peuvent pas s'exécuter (voir les journaux du serveur)."}
    return {"level": report["level"], "message": report["message"],
            "platform": report["platform"], "seccomp": report["seccomp"],
            "landlock_abi": report["landlock_abi"], "dedicated_uid": report["uid"] is not None,
            "verified": report["verified"], "problems": report["problems"]}
