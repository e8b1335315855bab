"""Trames échangées avec les enfants, et lecture défiante de ce qu'ils renvoient.

Parent → enfant : UNE requête (`request_parts`) : `!Q` (longueur) + pickle (le parent est de
confiance), puis `!Q` (nombre de tampons hors bande), `!Q` par tampon (taille) et les tampons
eux-mêmes (tableaux numpy : écrits tels quels, sans copie dans le pickle ; un an de bougies 1m
pèse 25 Mo).
Enfant → parent : des trames `!Q` + JSON, jamais de pickle ; chacune est un objet
`{"type": "progress" | "result" | "error", …}`. Le parent plafonne la taille de chaque trame et
du total, refuse NaN/Infinity, les entiers géants et l'imbrication excessive, et n'accepte
qu'un dictionnaire : le code de l'enfant n'est pas de confiance.
"""

from __future__ import annotations

import json
import math
import pickle
import struct
from typing import Any

import orjson

HEADER = struct.Struct("!Q")
#: Nombre maximal de tampons hors bande d'une requête (le parent en envoie 6 pour un backtest).
MAX_BUFFERS = 1024


def request_parts(request: dict[str, Any]) -> list[bytes | memoryview]:
    """La requête parent → enfant en morceaux à écrire à la suite (voir l'en-tête du module)."""
    buffers: list[pickle.PickleBuffer] = []
    payload = pickle.dumps(request, protocol=5, buffer_callback=buffers.append)
    if len(buffers) > MAX_BUFFERS:  # improbable : tout dans le pickle
        payload, buffers = pickle.dumps(request, protocol=5), []
    views = [buffer.raw() for buffer in buffers]
    head = b"".join([HEADER.pack(len(payload)), payload, HEADER.pack(len(views)),
                     *(HEADER.pack(view.nbytes) for view in views)])
    return [head, *views]


class StrategyTimeout(BaseException):  # noqa: N818
    """Levée par SIGALRM dans l'enfant quand la limite de temps (horloge murale) est atteinte.

    Hérite de BaseException pour ne pas être avalée par un `except Exception` de l'utilisateur.
    """


class CpuLimitExceeded(BaseException):  # noqa: N818
    """Levée par SIGXCPU dans l'enfant quand la limite de temps CPU (RLIMIT_CPU) est atteinte."""


class FrameError(ValueError):
    """Trame illisible ou hors limites (message français)."""


def _orjson_default(value: Any) -> Any:
    """Comme `json.dumps(default=str)` : sous-classes de float (numpy.float64…) en nombres, le reste
    en texte."""
    if isinstance(value, float):
        return float(value)
    return str(value)


def encode(message: dict[str, Any]) -> bytes:
    """Trame JSON (NaN et infinis remplacés par None ; le parcours n'est fait que s'il y en a).

    orjson d'abord (~8× plus rapide sur un gros résultat de backtest ; NaN et infinis → null,
    comme `json_safe`) ; le module json pour ce qu'orjson refuse (entiers de plus de 64 bits,
    imbrication profonde, clés non textuelles…), avec le même résultat qu'avant.
    """
    try:
        data = orjson.dumps(message, default=_orjson_default)
    except (orjson.JSONEncodeError, TypeError):
        try:
            text = json.dumps(message, default=str, allow_nan=False, separators=(",", ":"))
        except ValueError:
            text = json.dumps(json_safe(message), default=str, allow_nan=False, separators=(",", ":"))
        data = text.encode()
    return HEADER.pack(len(data)) + data


def json_safe(value: Any) -> Any:
    """NaN et infinis → None (JSON strict), récursivement."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def _reject_constant(name: str) -> Any:
    raise FrameError(f"valeur non finie {name} refusée")


def decode(payload: bytes) -> dict[str, Any]:
    """JSON d'une trame venant d'un enfant → dict ; `FrameError` pour tout le reste.

    Seule différence avec `json.loads` : un entier hors de [−2⁶³, 2⁶⁴[ devient un flottant (même
    valeur arrondie) ; les relectures (`finite`, `small_int`) le traitent comme avant.
    """
    try:  # orjson (~4× plus rapide sur un gros résultat de backtest) ; il refuse NaN, infinis,
        # surrogates isolés, imbrication > 1 024, entiers qui ne tiennent pas dans un double…
        message = orjson.loads(payload)
    except orjson.JSONDecodeError:  # … relus par json, qui les traite comme avant
        try:
            message = json.loads(payload, parse_constant=_reject_constant)
        except FrameError:
            raise
        except (ValueError, RecursionError, MemoryError) as exc:  # JSON, entier géant, imbrication
            raise FrameError(f"réponse illisible ({type(exc).__name__})") from None
    except (RecursionError, MemoryError) as exc:
        raise FrameError(f"réponse illisible ({type(exc).__name__})") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise FrameError("réponse sans type")
    return message


def text(value: Any, limit: int) -> str | None:
    """Chaîne venant d'un enfant, tronquée à `limit` caractères (None si ce n'est pas une chaîne)."""
    if not isinstance(value, str):
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def small_int(value: Any, low: int = 0, high: int = 10_000_000) -> int | None:
    """Entier borné venant d'un enfant (numéro de ligne…) ; None sinon."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def finite(value: Any) -> float | None:
    """Nombre fini venant d'un enfant ; None sinon."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None
