"""Chiffrement des secrets au repos (clés API des brokers, clé d'IA).

La clé Fernet est dérivée de `SECRET_KEY` par HKDF-SHA256 : changer `SECRET_KEY` rend les
secrets existants illisibles (il faut alors les ressaisir).
"""

from __future__ import annotations

import base64
import functools
import logging

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

logger = logging.getLogger(__name__)

_HKDF_SALT = b"aristobot-v3"
_HKDF_INFO = b"aristobot-v3/secrets-at-rest/fernet"


@functools.lru_cache(maxsize=4)
def _fernet_for(secret_key: str) -> Fernet:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(raw))


def _fernet() -> Fernet:
    return _fernet_for(settings.SECRET_KEY)


def encrypt_str(plaintext: str) -> str:
    """Chiffre une chaîne ; la chaîne vide reste vide (pas de secret)."""
    if not plaintext:
        return ""
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_str(token: str) -> str:
    """Déchiffre un jeton produit par `encrypt_str` ; renvoie "" si illisible (journalisé)."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        logger.error(
            "Secret chiffré illisible : la SECRET_KEY a probablement changé, ressaisissez la clé."
        )
        return ""


def mask_secret(plaintext: str) -> str:
    """Indice affichable d'un secret : `****abcd` (4 derniers caractères), "" si vide."""
    if not plaintext:
        return ""
    return "****" + plaintext[-4:]
