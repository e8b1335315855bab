"""Appels aux méthodes de décision et vérification de leurs résultats.

Mêmes règles que le runtime des stratégies (`apps.strategies.runtime.decide.check_result`) :
`should_long` / `should_short` rendent un booléen ; taille, SL et TP des nombres finis >= 0 ;
le stop loss est une fraction < 1. Un résultat invalide ou une exception du code utilisateur
= erreur sur cette bougie (aucune action), comptée et rapportée.

Une décision est un tuple comparable (chemin rapide contre chemin exact) :
`NONE`, `SHORT`, `("long", taille)` (taille <= 0 : pas d'achat), `("long", taille, sl, tp)`,
`("error", message)`.
"""

from __future__ import annotations

import math
import traceback
from typing import Any

import numpy as np

from apps.strategies.runtime.loader import USER_FILENAME, describe_exception

NONE: tuple[str] = ("none",)
SHORT: tuple[str] = ("short",)


class ResultError(Exception):
    """Résultat invalide renvoyé par une méthode de décision (message français)."""


def check_bool(value: Any, method: str) -> bool:
    if value is True or value is False or value.__class__ is np.bool_:
        return bool(value)
    raise ResultError(f"{method}() doit renvoyer un booléen (True/False), reçu {type(value).__name__}")


def check_number(value: Any, method: str) -> float:
    if type(value) is float and 0.0 <= value < math.inf and (
            method != "calculate_stop_loss" or value < 1):  # cas courant : flottant valide
        return value
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise ResultError(f"{method}() doit renvoyer un nombre, reçu {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ResultError(f"{method}() a renvoyé {number} : un nombre fini est attendu")
    if number < 0:
        raise ResultError(f"{method}() doit renvoyer un nombre positif ou nul, reçu {number:g}")
    if method == "calculate_stop_loss" and number >= 1:
        raise ResultError(f"calculate_stop_loss() renvoie une fraction du prix d'entrée "
                          f"(0.02 = 2 %), reçu {number:g}")
    return number


def entry_decision(strategy: Any) -> tuple:
    """Après un `should_long()` vrai : taille puis, si elle est > 0, stop loss et take profit."""
    size = check_number(strategy.calculate_position_size(), "calculate_position_size")
    if size <= 0:
        return ("long", size)
    stop = check_number(strategy.calculate_stop_loss(), "calculate_stop_loss")
    take = check_number(strategy.calculate_take_profit(), "calculate_take_profit")
    return ("long", size, stop, take)


def _user_function(exc: BaseException) -> str | None:
    """Nom de la fonction du code utilisateur la plus profonde dans la traceback."""
    name = None
    for frame, _lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == USER_FILENAME:
            name = frame.f_code.co_name
    return name


def error_decision(exc: BaseException, method: str) -> tuple:
    """Décision « erreur » avec le message français (ligne du code utilisateur si connue)."""
    if isinstance(exc, ResultError):
        return ("error", str(exc))
    message, _line = describe_exception(exc, f"dans {_user_function(exc) or method}")
    return ("error", message)


def decide(strategy: Any, flat: bool) -> tuple:
    """Décision complète à la clôture d'une bougie (chemin exact et vérification)."""
    method = "should_long" if flat else "should_short"
    try:
        if flat:
            if not check_bool(strategy.should_long(), method):
                return NONE
            return entry_decision(strategy)
        return SHORT if check_bool(strategy.should_short(), method) else NONE
    except Exception as exc:  # code utilisateur : toute erreur devient une décision « erreur »
        return error_decision(exc, method)


def same_decision(fast: tuple, exact: tuple) -> bool:
    """Même effet sur les trades : une erreur équivaut à « rien » (messages ignorés).

    Sur très peu de bougies, le chemin exact lève souvent (indicateur `None` avant sa période
    de chauffe) là où le chemin rapide lit NaN et ne fait rien : ce n'est pas une anticipation.
    """
    if fast[0] in ("error", "none") and exact[0] in ("error", "none"):
        return True
    return fast == exact
