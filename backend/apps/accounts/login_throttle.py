"""Limitation des tentatives de connexion : par nom d'utilisateur et par adresse IP.

Seuls les échecs comptent (ARISTOBOT_LOGIN_FAILURES_PER_USER sur ARISTOBOT_LOGIN_WINDOW_S, 5 en
15 minutes ; ARISTOBOT_LOGIN_FAILURES_PER_IP, 20) ; au-delà, 429 avec l'attente en français et
l'en-tête Retry-After, même si le mot de passe est bon (il n'est pas vérifié). Une connexion
réussie efface les échecs de ce nom. Compteurs en mémoire du processus Daphne (unique).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from apps.core.exceptions import ThrottledError
from apps.core.ratelimit import SlidingWindowLimiter, wait_text

_limiters: dict[tuple[str, int, int], SlidingWindowLimiter] = {}


def _limiter(kind: str) -> SlidingWindowLimiter:
    limit = int(getattr(settings, f"ARISTOBOT_LOGIN_FAILURES_PER_{kind.upper()}"))
    window = int(settings.ARISTOBOT_LOGIN_WINDOW_S)
    key = (kind, limit, window)
    if key not in _limiters:
        _limiters[key] = SlidingWindowLimiter(limit, window)
    return _limiters[key]


@dataclass(frozen=True)
class ThrottleKeys:
    user: str
    ip: str


def login_throttle_keys(*, username: str, ip: str | None) -> ThrottleKeys:
    return ThrottleKeys(user=username.strip().lower()[:150], ip=ip or "?")


def login_throttle_check(keys: ThrottleKeys) -> None:
    """429 si ce nom ou cette adresse a épuisé ses essais (avant toute vérification)."""
    for kind, key, what in (("user", keys.user, f"le compte « {keys.user} »"),
                            ("ip", keys.ip, "cette adresse")):
        wait = _limiter(kind).retry_after(key)
        if wait:
            raise ThrottledError(f"Trop de tentatives de connexion pour {what} : réessayez dans "
                                 f"{wait_text(wait)}.", retry_after=wait)


def login_failed(keys: ThrottleKeys) -> None:
    _limiter("user").hit(keys.user)
    _limiter("ip").hit(keys.ip)


def login_succeeded(keys: ThrottleKeys) -> None:
    _limiter("user").reset(keys.user)
