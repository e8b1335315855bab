"""`demo_setup` : broker de démo, stratégie d'exemple et paires chargées (CCXT réel → simulateur)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from apps.brokers.models import Broker
from apps.core.tests.exchange_fixtures import ThreadedSimulator
from apps.market_data.models import MarketSymbol
from apps.strategies.models import Strategy

# Le chargement des paires passe par des threads ORM (sync_to_async) : vraie transaction.
pytestmark = pytest.mark.django_db(transaction=True)

FREE_LOOPBACK_URL = "http://127.0.0.1:9"  # port « discard » : personne n'écoute


def _run(**options: Any) -> str:
    out = io.StringIO()
    call_command("demo_setup", stdout=out, **options)
    return out.getvalue()


def test_demo_setup_is_idempotent_and_loads_pairs_without_a_running_simulator(
    make_user, settings  # noqa: ANN001
) -> None:
    """`make demo` lance demo_setup AVANT le simulateur : un simulateur temporaire fournit les paires."""
    settings.ARISTOBOT_BINANCE_REST_URL = FREE_LOOPBACK_URL
    dev = make_user("dev")
    first = _run()
    assert "simulateur temporaire" in first
    second = _run()
    broker = Broker.objects.get(user=dev)
    assert broker.api_key == "demo-api-key" and broker.is_default
    assert Strategy.objects.filter(user=dev).count() == 1
    active = MarketSymbol.objects.filter(exchange="binance", active=True)
    assert active.filter(symbol="BTC/USDT").exists()
    assert active.count() >= 3 and "paires binance à jour" in second
    # La commande n'a pas laissé l'URL du simulateur temporaire dans les réglages.
    assert settings.ARISTOBOT_BINANCE_REST_URL == FREE_LOOPBACK_URL


def test_demo_setup_uses_the_running_simulator(make_user, settings) -> None:  # noqa: ANN001
    make_user("dev")
    simulator = ThreadedSimulator(seed=7, symbols=["BTCUSDT", "ETHUSDT"]).start()
    try:
        settings.ARISTOBOT_BINANCE_REST_URL = simulator.base_url
        output = _run()
    finally:
        simulator.stop()
    assert simulator.base_url in output
    active = MarketSymbol.objects.filter(exchange="binance", active=True)
    symbols = set(active.values_list("symbol", flat=True))
    assert symbols == {"BTC/USDT", "ETH/USDT"}


def test_demo_setup_refuses_real_binance(make_user, settings) -> None:  # noqa: ANN001
    settings.ARISTOBOT_BINANCE_REST_URL = "https://api.binance.com"
    make_user("dev")
    with pytest.raises(CommandError, match="simulateur"):
        _run()
    assert not Broker.objects.exists()


def test_demo_setup_needs_the_dev_user() -> None:
    with pytest.raises(CommandError, match="init_aristobot"):
        call_command("demo_setup")
