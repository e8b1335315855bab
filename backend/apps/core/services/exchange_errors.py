"""Traduction unique des erreurs CCXT en `AristobotError` (message technique en français) et reprises.

Chaque exception CCXT devient un message qui nomme l'exchange et la cause, en gardant le message
de l'exchange lui-même (pour Binance, le champ `msg` du JSON d'erreur) :
« Erreur de connexion à Binance : Invalid API-key, IP, or permissions for action. ».

Statuts HTTP choisis (le frontend s'en sert pour distinguer « votre saisie » et « l'exchange ») :

| classe CCXT                                         | statut | code                 |
|-----------------------------------------------------|--------|----------------------|
| AuthenticationError (clé/secret/signature invalide) | 400    | `exchange_auth`      |
| PermissionDenied, AccountSuspended                  | 400    | `exchange_permission`|
| InsufficientFunds                                   | 400    | `insufficient_funds` |
| InvalidOrder (filtres, doublon…)                    | 400    | `order_rejected`     |
| OrderNotFound                                       | 404    | `order_not_found`    |
| BadSymbol                                           | 400    | `bad_symbol`         |
| BadRequest, ArgumentsRequired, NotSupported, OperationRejected | 400 | `exchange_bad_request` |
| RateLimitExceeded, DDoSProtection                   | 503    | `exchange_rate_limit`|
| RequestTimeout                                      | 504    | `exchange_timeout`   |
| ExchangeNotAvailable, OnMaintenance, NetworkError   | 502    | `exchange_unavailable`|
| BadResponse, ExchangeError générique, autre         | 502    | `exchange_error`     |

Une clé refusée vaut 400 et non 401 : c'est une saisie de l'utilisateur, et un 401 ferait croire
au frontend que sa session a expiré.

Reprises (`with_retry`) : seules les lectures (`safe=True`) sont rejouées sur erreur réseau, trois
essais avec un délai exponentiel + gigue. Un ordre n'est JAMAIS rejoué : après une erreur réseau,
`apps.trading.services.orders` le recherche par son `clientOrderId`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import ccxt

from apps.core.exceptions import AristobotError

logger = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_ATTEMPTS = 3
RETRY_BASE_DELAY = 0.4  # secondes ; doublé à chaque essai, plus une gigue de 0 à 50 %

# (classe CCXT, gabarit du message, statut HTTP, code) — de la plus précise à la plus générale.
_RULES: tuple[tuple[type[BaseException], str, int, str], ...] = (
    (ccxt.OrderNotFound, "Ordre introuvable sur {ex} : {msg}", 404, "order_not_found"),
    (ccxt.InsufficientFunds, "Solde insuffisant sur {ex} : {msg}", 400, "insufficient_funds"),
    (ccxt.InvalidOrder, "Ordre refusé par {ex} : {msg}", 400, "order_rejected"),
    (ccxt.BadSymbol, "Symbole inconnu sur {ex} : {msg}", 400, "bad_symbol"),
    (ccxt.PermissionDenied, "Permission refusée par {ex} (droits de la clé API) : {msg}", 400,
     "exchange_permission"),
    (ccxt.AccountSuspended, "Compte suspendu sur {ex} : {msg}", 400, "exchange_permission"),
    (ccxt.AuthenticationError, "Erreur de connexion à {ex} : {msg}", 400, "exchange_auth"),
    (ccxt.NotSupported, "Opération non prise en charge par {ex} dans CCXT : {msg}", 400,
     "exchange_bad_request"),
    (ccxt.ArgumentsRequired, "Paramètre manquant pour {ex} : {msg}", 400, "exchange_bad_request"),
    (ccxt.BadRequest, "Requête refusée par {ex} : {msg}", 400, "exchange_bad_request"),
    (ccxt.OperationRejected, "Opération refusée par {ex} : {msg}", 400, "exchange_bad_request"),
    (ccxt.RateLimitExceeded, "Limite de requêtes atteinte sur {ex} : {msg}", 503, "exchange_rate_limit"),
    (ccxt.DDoSProtection, "Limite de requêtes atteinte sur {ex} (protection anti-DDoS) : {msg}", 503,
     "exchange_rate_limit"),
    (ccxt.OnMaintenance, "{ex} en maintenance : {msg}", 502, "exchange_unavailable"),
    (ccxt.RequestTimeout, "{ex} injoignable (délai dépassé) : {msg}", 504, "exchange_timeout"),
    (ccxt.ExchangeNotAvailable, "{ex} injoignable : {msg}", 502, "exchange_unavailable"),
    (ccxt.InvalidNonce, "Horodatage refusé par {ex} (horloge ou nonce) : {msg}", 502,
     "exchange_unavailable"),
    (ccxt.NetworkError, "{ex} injoignable : {msg}", 502, "exchange_unavailable"),
    (ccxt.BadResponse, "Réponse illisible de {ex} : {msg}", 502, "exchange_error"),
    (ccxt.ExchangeError, "Erreur renvoyée par {ex} : {msg}", 502, "exchange_error"),
    (ccxt.BaseError, "Erreur CCXT avec {ex} : {msg}", 502, "exchange_error"),
)

_MESSAGE_KEYS = ("msg", "message", "error_description", "errorMessage", "error", "err_msg")
_QUERY_IN_URL = re.compile(r"(https?://[^\s?]+)\?\S*")


def _message_from_payload(payload: Any) -> str | None:
    if isinstance(payload, dict):
        for key in _MESSAGE_KEYS:
            value = payload.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
            nested = _message_from_payload(value)
            if nested:
                return nested
    if isinstance(payload, list) and payload:
        return _message_from_payload(payload[0])
    return None


def exchange_message(exc: BaseException) -> str:
    """Le message propre de l'exchange contenu dans une exception CCXT.

    CCXT formate ses erreurs « <id> <corps de la réponse> » : pour Binance, le corps est
    `{"code":-2015,"msg":"Invalid API-key…"}` et on garde `msg`. Les URL perdent leur chaîne de
    requête (horodatage et signature n'ont rien à faire dans un message).
    """
    text = str(exc).strip()
    brace = text.find("{")
    if brace >= 0:
        try:
            payload = json.loads(text[brace:])
        except ValueError:
            payload = None
        found = _message_from_payload(payload)
        if found:
            return found
    first, _, rest = text.partition(" ")
    if rest and first.islower() and first in ccxt.exchanges:
        text = rest.strip()
    text = _QUERY_IN_URL.sub(r"\1", text)
    return text or type(exc).__name__


def translate_ccxt_error(exc: BaseException, exchange_name: str) -> AristobotError:
    """Traduit une exception CCXT en `AristobotError` (message français, statut HTTP, code)."""
    if isinstance(exc, AristobotError):
        return exc
    message = exchange_message(exc)
    for klass, template, status, code in _RULES:
        if isinstance(exc, klass):
            return AristobotError(
                template.format(ex=exchange_name, msg=message), status_code=status, code=code
            )
    return AristobotError(
        f"Erreur inattendue avec {exchange_name} : {type(exc).__name__} {message}",
        status_code=502,
        code="exchange_error",
    )


def is_retryable(exc: BaseException) -> bool:
    """Erreurs transitoires (réseau, délai, limite de requêtes) qu'une lecture peut rejouer."""
    return isinstance(exc, ccxt.NetworkError)


async def with_retry(
    coro_factory: Callable[[], Awaitable[T]],
    *,
    safe: bool,
    attempts: int = RETRY_ATTEMPTS,
    base_delay: float | None = None,
) -> T:
    """Exécute `coro_factory()` ; si `safe` (lecture), rejoue les erreurs réseau avec backoff.

    `coro_factory` est une fabrique (chaque essai crée une nouvelle coroutine). Un appel non sûr
    (création d'ordre) n'est tenté qu'une fois.
    """
    if not safe:
        return await coro_factory()
    delay = RETRY_BASE_DELAY if base_delay is None else base_delay
    for attempt in range(1, attempts + 1):
        try:
            return await coro_factory()
        except ccxt.BaseError as exc:
            if not is_retryable(exc) or attempt >= attempts:
                raise
            pause = delay * (2 ** (attempt - 1)) * (1 + random.random() / 2)
            if isinstance(exc, ccxt.DDoSProtection | ccxt.RateLimitExceeded):
                pause *= 2
            logger.info(
                "Erreur réseau (%s), nouvel essai %d/%d dans %.2f s : %s",
                type(exc).__name__, attempt + 1, attempts, pause, exchange_message(exc),
            )
            await asyncio.sleep(pause)
    raise AssertionError("inatteignable")  # pragma: no cover


async def exchange_call(
    exchange: Any, coro_factory: Callable[[], Awaitable[T]], *, safe: bool
) -> T:
    """Appel CCXT avec reprises (si `safe`) et traduction des erreurs en `AristobotError`."""
    try:
        return await with_retry(coro_factory, safe=safe)
    except ccxt.BaseError as exc:
        raise translate_ccxt_error(exc, exchange_display(exchange)) from exc


def exchange_display(exchange: Any) -> str:
    """Nom lisible d'une instance CCXT (« Binance »), à défaut son identifiant."""
    return str(getattr(exchange, "name", None) or getattr(exchange, "id", "exchange"))
