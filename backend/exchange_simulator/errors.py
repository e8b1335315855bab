"""Erreurs au format Binance (``{"code": -1121, "msg": "Invalid symbol."}``).

Les messages reprennent mot pour mot ceux de Binance (``errors.md`` de binance-spot-api-docs) :
CCXT choisit sa classe d'exception d'après le code et, pour certains, d'après le message exact.
"""

from __future__ import annotations


class BinanceError(Exception):
    """Erreur renvoyée au client : code Binance, message anglais exact et statut HTTP."""

    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
        self.status = status

    def payload(self) -> dict[str, object]:
        return {"code": self.code, "msg": self.msg}


MSG_INSUFFICIENT_BALANCE = "Account has insufficient balance for requested action."
MSG_UNKNOWN_ORDER = "Unknown order sent."
MSG_DUPLICATE_ORDER = "Duplicate order sent."
MSG_WOULD_TRIGGER = "Order would trigger immediately."
MSG_WOULD_TAKE = "Order would immediately match and take."
MSG_OCO_PRICES = "The relationship of the prices for the orders is not correct."


def unknown_error() -> BinanceError:
    return BinanceError(-1000, "An unknown error occurred while processing the request.", 500)


def invalid_api_key() -> BinanceError:
    return BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", 401)


def api_key_format_invalid() -> BinanceError:
    return BinanceError(-2014, "API-key format invalid.", 401)


def invalid_signature() -> BinanceError:
    return BinanceError(-1022, "Signature for this request is not valid.")


def timestamp_outside_window() -> BinanceError:
    return BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")


def timestamp_ahead() -> BinanceError:
    return BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")


def recv_window_too_large() -> BinanceError:
    return BinanceError(-1131, "recvWindow must be less than 60000")


def invalid_symbol() -> BinanceError:
    return BinanceError(-1121, "Invalid symbol.")


def invalid_interval() -> BinanceError:
    return BinanceError(-1120, "Invalid interval.")


def missing_param(name: str) -> BinanceError:
    return BinanceError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def missing_either(first: str, second: str) -> BinanceError:
    return BinanceError(-1102, f"Param '{first}' or '{second}' must be sent, but both were empty/null!")


def illegal_number(name: str) -> BinanceError:
    return BinanceError(
        -1100,
        f"Illegal characters found in parameter '{name}'; "
        "legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
    )


def illegal_integer(name: str) -> BinanceError:
    return BinanceError(
        -1100, f"Illegal characters found in parameter '{name}'; legal range is '^[0-9]{{1,20}}$'."
    )


def duplicate_parameter() -> BinanceError:
    return BinanceError(-1101, "Duplicate values for a parameter detected.")


def param_not_required(name: str) -> BinanceError:
    return BinanceError(-1106, f"Parameter '{name}' sent when not required.")


def bad_precision() -> BinanceError:
    return BinanceError(-1111, "Precision is over the maximum defined for this asset.")


def tif_not_required() -> BinanceError:
    return BinanceError(-1114, "TimeInForce parameter sent when not required.")


def invalid_tif() -> BinanceError:
    return BinanceError(-1115, "Invalid timeInForce.")


def invalid_order_type() -> BinanceError:
    return BinanceError(-1116, "Invalid orderType.")


def invalid_side() -> BinanceError:
    return BinanceError(-1117, "Invalid side.")


def invalid_parameter(name: str) -> BinanceError:
    return BinanceError(-1130, f"Data sent for parameter '{name}' is not valid.")


def filter_failure(name: str) -> BinanceError:
    return BinanceError(-1013, f"Filter failure: {name}")


def order_rejected(msg: str) -> BinanceError:
    return BinanceError(-2010, msg)


def cancel_rejected(msg: str = MSG_UNKNOWN_ORDER) -> BinanceError:
    return BinanceError(-2011, msg)


def order_does_not_exist() -> BinanceError:
    return BinanceError(-2013, "Order does not exist.")


def order_list_does_not_exist() -> BinanceError:
    return BinanceError(-2013, "Order list does not exist.")
