"""Services de l'assistant IA : générer du code de stratégie, tester la connexion au fournisseur.

Les appels réseau sont asynchrones (httpx) ; ces services synchrones, appelés par des vues DRF
(exécutées hors de la boucle de Daphne), les lancent par `async_to_sync`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asgiref.sync import async_to_sync

from apps.core.exceptions import AristobotError
from apps.strategies.ai import client
from apps.strategies.ai.config import ai_config_for, default_timeout
from apps.strategies.ai.extract import extract_answer
from apps.strategies.ai.prompts import build_messages
from apps.strategies.runtime.validation import validate_code

#: Délai maximal d'un test de connexion (s) : il ne génère rien, il doit répondre vite.
CHECK_TIMEOUT_S = 15.0


def strategy_assist(*, user: Any, prompt: str, code: str = "") -> dict[str, Any]:
    """Demande au fournisseur IA de `user` du code de stratégie pour `prompt`.

    Renvoie `{code, explanation, provider, model, validation}` ; `code` vaut None si la réponse
    n'en contient pas, `validation` est le résultat du bac à sable sur le code proposé.
    """
    config = ai_config_for(user=user)
    result = async_to_sync(client.chat)(config, build_messages(prompt=prompt, code=code))
    answer = extract_answer(result.text)
    validation = validate_code(answer.code).as_dict() if answer.code else None
    return {
        "code": answer.code,
        "explanation": answer.explanation,
        "provider": config.provider,
        "model": result.model,
        "validation": validation,
    }


def ai_connection_check(*, user: Any, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Teste la configuration IA (celle du profil, complétée par `overrides`) : `{ok, detail}`.

    Un échec (assistant désactivé, clé refusée, serveur injoignable, modèle absent) n'est pas une
    erreur HTTP : c'est le résultat du test, `ok: false` avec le message français.
    """
    provider = model = None
    try:
        config = ai_config_for(
            user=user, overrides=overrides, timeout=min(default_timeout(), CHECK_TIMEOUT_S)
        )
        provider, model = config.provider, config.model
        detail = async_to_sync(client.check)(config)
    except AristobotError as exc:
        return {"ok": False, "detail": exc.message, "provider": provider, "model": model}
    return {"ok": True, "detail": detail, "provider": provider, "model": model}
