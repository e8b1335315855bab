"""Traduction des erreurs CCXT en français et reprises des seules lectures."""

from __future__ import annotations

import ccxt
import pytest

from apps.core.exceptions import AristobotError
from apps.core.services import exchange_errors
from apps.core.services.exchange_errors import translate_ccxt_error, with_retry


def _binance(code: int, msg: str) -> str:
    return f'binance {{"code":{code},"msg":"{msg}"}}'


@pytest.mark.parametrize(
    ("exc", "message", "status", "code"),
    [
        (ccxt.AuthenticationError(_binance(-2015, "Invalid API-key, IP, or permissions for action.")),
         "Erreur de connexion à Binance : Invalid API-key, IP, or permissions for action.", 400,
         "exchange_auth"),
        (ccxt.AuthenticationError(_binance(-1022, "Signature for this request is not valid.")),
         "Erreur de connexion à Binance : Signature for this request is not valid.", 400, "exchange_auth"),
        (ccxt.PermissionDenied(_binance(-2015, "No trading permission.")),
         "Permission refusée par Binance (droits de la clé API) : No trading permission.", 400,
         "exchange_permission"),
        (ccxt.InsufficientFunds(_binance(-2010, "Account has insufficient balance for requested action.")),
         "Solde insuffisant sur Binance : Account has insufficient balance for requested action.", 400,
         "insufficient_funds"),
        (ccxt.InvalidOrder(_binance(-1013, "Filter failure: NOTIONAL")),
         "Ordre refusé par Binance : Filter failure: NOTIONAL", 400, "order_rejected"),
        (ccxt.OrderNotFound(_binance(-2013, "Order does not exist.")),
         "Ordre introuvable sur Binance : Order does not exist.", 404, "order_not_found"),
        (ccxt.BadSymbol(_binance(-1121, "Invalid symbol.")),
         "Symbole inconnu sur Binance : Invalid symbol.", 400, "bad_symbol"),
        (ccxt.BadRequest(_binance(-1100, "Illegal characters found in parameter 'quantity'.")),
         "Requête refusée par Binance : Illegal characters found in parameter 'quantity'.", 400,
         "exchange_bad_request"),
        (ccxt.RequestTimeout("binance POST http://127.0.0.1:8765/api/v3/order?timestamp=1&signature=ab"),
         "Binance injoignable (délai dépassé) : POST http://127.0.0.1:8765/api/v3/order", 504,
         "exchange_timeout"),
        (ccxt.ExchangeNotAvailable("binance GET http://127.0.0.1:8765/api/v3/account?signature=ab"),
         "Binance injoignable : GET http://127.0.0.1:8765/api/v3/account", 502, "exchange_unavailable"),
        (ccxt.NetworkError("binance connection reset"),
         "Binance injoignable : connection reset", 502, "exchange_unavailable"),
        (ccxt.RateLimitExceeded(_binance(-1003, "Too many requests.")),
         "Limite de requêtes atteinte sur Binance : Too many requests.", 503, "exchange_rate_limit"),
        (ccxt.DDoSProtection("binance 418 I'm a teapot"),
         "Limite de requêtes atteinte sur Binance (protection anti-DDoS) : 418 I'm a teapot", 503,
         "exchange_rate_limit"),
        (ccxt.OnMaintenance("binance system maintenance"),
         "Binance en maintenance : system maintenance", 502, "exchange_unavailable"),
        (ccxt.ExchangeError(_binance(-1000, "An unknown error occurred while processing the request.")),
         "Erreur renvoyée par Binance : An unknown error occurred while processing the request.", 502,
         "exchange_error"),
        (ccxt.NotSupported("binance fetchDeposits() is not supported yet"),
         "Opération non prise en charge par Binance dans CCXT : fetchDeposits() is not supported yet",
         400, "exchange_bad_request"),
    ],
)
def test_every_ccxt_error_becomes_a_french_message_naming_exchange_and_cause(
    exc: Exception, message: str, status: int, code: str
) -> None:
    error = translate_ccxt_error(exc, "Binance")
    assert isinstance(error, AristobotError)
    assert error.message == message
    assert error.status_code == status
    assert error.code == code


def test_message_of_other_exchanges_is_kept() -> None:
    exc = ccxt.AuthenticationError('kraken {"error":["EAPI:Invalid key"]}')
    assert translate_ccxt_error(exc, "Kraken").message == (
        'Erreur de connexion à Kraken : {"error":["EAPI:Invalid key"]}'
    )
    exc = ccxt.AuthenticationError('okx {"msg":"Invalid OK-ACCESS-KEY","code":"50111"}')
    assert translate_ccxt_error(exc, "OKX").message == "Erreur de connexion à OKX : Invalid OK-ACCESS-KEY"


class _Flaky:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exchange_errors, "RETRY_BASE_DELAY", 0.0)


async def test_safe_reads_are_retried_on_network_errors() -> None:
    flaky = _Flaky([ccxt.RequestTimeout("x"), ccxt.ExchangeNotAvailable("y")])
    assert await with_retry(flaky, safe=True) == "ok"
    assert flaky.calls == 3


async def test_safe_reads_give_up_after_three_tries() -> None:
    flaky = _Flaky([ccxt.NetworkError("a"), ccxt.NetworkError("b"), ccxt.NetworkError("c")])
    with pytest.raises(ccxt.NetworkError):
        await with_retry(flaky, safe=True)
    assert flaky.calls == 3


async def test_unsafe_calls_such_as_orders_are_never_retried() -> None:
    flaky = _Flaky([ccxt.RequestTimeout("x")])
    with pytest.raises(ccxt.RequestTimeout):
        await with_retry(flaky, safe=False)
    assert flaky.calls == 1


async def test_exchange_errors_other_than_network_are_not_retried() -> None:
    flaky = _Flaky([ccxt.AuthenticationError("binance bad key")])
    with pytest.raises(ccxt.AuthenticationError):
        await with_retry(flaky, safe=True)
    assert flaky.calls == 1
