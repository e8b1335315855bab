"""Limiteur de débit des instances CCXT : budget de poids de Binance, rafales permises, autres
exchanges inchangés (vrai CCXT contre le simulateur)."""

from __future__ import annotations

import pytest
from exchange_simulator.rest_public import RATE_LIMITS

from apps.core.services.ccxt_manager import ExchangeCredentials, exchange_build, temporary_exchange
from apps.core.services.rate_limit import throttle_delay_ms
from apps.core.tests.exchange_fixtures import exchange_cleanup, sim  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

WEIGHT_PER_MINUTE = next(r["limit"] for r in RATE_LIMITS if r["rateLimitType"] == "REQUEST_WEIGHT")
EXCHANGE_INFO_WEIGHT, TICKERS_WEIGHT = 20, 80  # poids que CCXT compte pour ces deux requêtes
TICKERS_COST = TICKERS_WEIGHT * 0.2  # unités du limiteur de CCXT pour Binance : poids × 0,2


async def test_binance_requests_go_at_once_up_to_the_weight_budget_of_a_minute(sim) -> None:  # noqa: F811
    """Binance : 6 000 de poids par minute et par IP. Les requêtes partent sans attendre tant que la
    fenêtre glissante de 60 s reste sous ce budget ; la suivante, qui le dépasserait, est retenue."""
    async with temporary_exchange(credentials=ExchangeCredentials(exchange_id="binance")) as exchange:
        assert exchange.throttler.config["algorithm"] == "rollingWindow"
        await exchange.load_markets()
        sent = 0
        while throttle_delay_ms(exchange, cost=TICKERS_COST) == 0 and sent < 100:
            await exchange.fetch_tickers(["BTC/USDT", "ETH/USDT"])
            sent += 1
        held = throttle_delay_ms(exchange, cost=TICKERS_COST)
    assert sim.requests["GET /api/v3/ticker/24hr"] == sent
    used = EXCHANGE_INFO_WEIGHT + sent * TICKERS_WEIGHT
    assert used <= WEIGHT_PER_MINUTE < used + TICKERS_WEIGHT  # 20 + 74 × 80 = 5 940
    assert 0 < held <= 60_000  # jusqu'à ce que les premières requêtes sortent de la fenêtre


async def test_other_exchanges_keep_the_ccxt_leaky_bucket() -> None:
    """Hors Binance, le limiteur par défaut de CCXT : une requête de coût 4 en fait attendre
    4 × `rateLimit` à la suivante (calcul local, aucune requête réseau)."""
    exchange = exchange_build(credentials=ExchangeCredentials(exchange_id="kraken"))
    try:
        assert exchange.throttler.config["algorithm"] == "leakyBucket"
        assert throttle_delay_ms(exchange) == 0
        await exchange.throttle(4)
        assert throttle_delay_ms(exchange) == pytest.approx(4 * exchange.rateLimit)
    finally:
        await exchange.close()
