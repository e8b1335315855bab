"""Le backtest dans le bac à sable : limites de temps et de mémoire, résultat relu avec défiance."""

from __future__ import annotations

import time

import pytest

from apps.backtest.results import output_clean
from apps.backtest.tests.support import make_strategy, payload, wait_for
from apps.core.tests.exchange_fixtures import exchange_cleanup, make_broker, threaded_sim  # noqa: F401

LOOP = '''
class Boucle(Strategy):
    def should_long(self):
        while True:
            try:
                pass
            except BaseException:
                pass
'''
GREEDY = '''
class Gourmande(Strategy):
    def __init__(self, candles, balance, position=None):
        self.blob = bytearray(2 * 1024 ** 3)
'''


@pytest.mark.django_db(transaction=True)
def test_endless_strategy_stops_at_the_time_limit_with_a_french_error(
        threaded_sim, logged_client, make_broker, settings) -> None:  # noqa: ANN001, F811
    settings.ARISTOBOT_BACKTEST_TIMEOUT_S = 2
    client = logged_client()
    strategy = make_strategy(client.user, code=LOOP, name="Boucle")
    started = time.monotonic()
    created = client.post("/api/backtests/", payload(strategy, make_broker(user=client.user)),
                          format="json").json()
    row = wait_for(created["id"], timeout=30)
    assert row.status == "error"
    assert row.error_message.startswith("Le backtest a dépassé la limite de temps (2 s, réglage "
                                        "ARISTOBOT_BACKTEST_TIMEOUT_S)"), row.error_message
    assert time.monotonic() - started < 15


@pytest.mark.django_db(transaction=True)
def test_memory_hungry_strategy_gets_a_french_error_naming_the_limit(
        threaded_sim, logged_client, make_broker, settings) -> None:  # noqa: ANN001, F811
    settings.ARISTOBOT_BACKTEST_MEMORY_MB = 512
    client = logged_client()
    strategy = make_strategy(client.user, code=GREEDY, name="Gourmande")
    created = client.post("/api/backtests/", payload(strategy, make_broker(user=client.user)),
                          format="json").json()
    row = wait_for(created["id"], timeout=30)
    assert row.status == "error" and "Mémoire insuffisante" in row.error_message
    assert "512 Mo" in row.error_message, row.error_message


GOOD = {
    "stats": {"final_amount": 1010.5, "total_trades": 1, "open_at_end": False, "sharpe_ratio": None},
    "trades": [{"entry_time": "2025-01-01T00:00:00Z", "exit_time": "2025-01-01T01:00:00Z",
                "entry_price": 100.0, "exit_price": 101.0, "qty": 1.0, "amount": 100.0, "fee": 0.2,
                "entry_fee": 0.1, "exit_fee": 0.1, "pnl": 0.8, "pnl_pct": 0.8,
                "exit_reason": "take_profit", "balance_after": 1010.5, "stop_loss": None,
                "take_profit": 101.0, "entry_index": 0, "exit_index": 1}],
    "equity_curve": [{"time": "2025-01-01T00:00:00Z", "equity": 1000.0, "drawdown_pct": 0.0}],
    "lookahead_detected": False, "mode": "fast", "message": None, "checked_candles": 10,
    "errors_count": 0, "errors": [], "timings": {"loop": 0.1},
}


def test_clean_output_keeps_known_fields_only() -> None:
    hostile = {**GOOD, "stats": {**GOOD["stats"], "injected": "<script>"}, "extra": [1] * 10}
    clean = output_clean(hostile)
    assert "injected" not in clean["stats"] and "extra" not in clean
    assert clean["stats"]["final_amount"] == 1010.5 and clean["stats"]["total_trades"] == 1
    assert clean["trades"][0]["exit_reason"] == "take_profit"


@pytest.mark.parametrize("mutate", [
    lambda o: o.update(stats="rien"),
    lambda o: o["stats"].update(final_amount="1e9999"),
    lambda o: o["stats"].update(final_amount=10 ** 400),
    lambda o: o["trades"][0].update(exit_reason="<img src=x onerror=alert(1)>"),
    lambda o: o["trades"][0].update(entry_time="demain"),
    lambda o: o["trades"].append("pas un trade"),
    lambda o: o.update(equity_curve=[{"time": "2025-01-01T00:00:00Z", "equity": 1}] * 20_000),
    lambda o: o.update(errors=[{"time": None, "message": "x"}] * 1000),
])
def test_clean_output_refuses_unexpected_shapes(mutate) -> None:  # noqa: ANN001
    import copy

    output = copy.deepcopy(GOOD)
    mutate(output)
    with pytest.raises(ValueError):
        output_clean(output)
