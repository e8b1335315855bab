"""Limiteur de débit des instances CCXT : réglage pour Binance et lecture de son état.

Binance limite le POIDS des requêtes REST par IP : 6 000 par minute (`exchangeInfo.rateLimits`,
REQUEST_WEIGHT). CCXT note chaque endpoint Binance en coût = poids × 0,2 avec `rateLimit` = 50 ms,
soit 20 unités/s = 6 000 de poids par minute en régime continu.

Son algorithme par défaut, un seau percé de capacité 1, n'accorde aucune rafale et ne crédite pas
le temps d'inactivité (le seau n'est rempli que pendant qu'une requête attend) : CHAQUE requête
attend le poids de la précédente × 10 ms, même des minutes plus tard. Un solde (`account`, poids
20, puis `ticker/24hr?symbols=…`, compté 80) coûtait ainsi 1 s contre un exchange qui répond en
1 ms, et une page qui lit solde et ordres ouverts (compté 80) le double.

Pour Binance, on prend donc la fenêtre glissante de CCXT (`rollingWindow`) : même budget,
60 000 / 50 = 1 200 unités = 6 000 de poids sur TOUTE fenêtre de 60 s (donc sur chaque minute
comptée par Binance), mais les quelques requêtes d'une page partent sans attendre ; au-delà du
budget, les requêtes attendent que les plus anciennes sortent de la fenêtre. Les autres exchanges
gardent le limiteur par défaut de CCXT : leurs limites ne sont pas toutes exprimées par minute.
"""

from __future__ import annotations

import time
from typing import Any

BINANCE_RATE_LIMITER: dict[str, Any] = {
    "rateLimiterAlgorithm": "rollingWindow",
    "rollingWindowSize": 60_000,
}


def rate_limiter_config(exchange_id: str) -> dict[str, Any]:
    """Réglages CCXT du limiteur pour un exchange (vide : limiteur par défaut de CCXT)."""
    return dict(BINANCE_RATE_LIMITER) if exchange_id == "binance" else {}


def _rolling_delay_ms(throttler: Any, cost: float, now_ms: float) -> float:
    """Fenêtre glissante : attendre que les plus anciennes requêtes sortent de la fenêtre."""
    window = float(throttler.config["windowSize"])
    budget = float(throttler.config["maxWeight"])
    live = sorted(
        (t for t in throttler.timestamps if t["timestamp"] > now_ms - window),
        key=lambda t: t["timestamp"],
    )
    used = sum(t["cost"] for t in live)
    if used + cost <= budget:
        return 0.0
    for entry in live:
        used -= entry["cost"]
        if used + cost <= budget:
            return max(0.0, entry["timestamp"] + window - now_ms)
    return window  # coût supérieur au budget entier


def throttle_delay_ms(exchange: Any, cost: float = 1.0) -> float:
    """Attente (ms) qu'imposerait le limiteur de l'instance à une requête de coût `cost` partant
    maintenant, calculée d'après son état (0 : elle part aussitôt). Diagnostic et tests.

    Lit l'état du `Throttler` asynchrone de CCXT (4.5) : seau percé (`tokens` négatifs = dette)
    ou fenêtre glissante (`timestamps` des requêtes de la fenêtre).
    """
    if not getattr(exchange, "enableRateLimit", False):
        return 0.0
    throttler = exchange.throttler
    config = throttler.config
    if config["algorithm"] == "leakyBucket":
        tokens = float(config["tokens"])
        return 0.0 if tokens >= 0 else -tokens / float(config["refillRate"])
    return _rolling_delay_ms(throttler, cost, time.time() * 1000)
