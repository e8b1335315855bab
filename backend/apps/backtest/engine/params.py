"""Valeurs imposées aux paramètres d'une stratégie (attributs de classe numériques).

    cls = load_strategy_class(code)
    apply_params(cls, code, {"fast": 12, "slow": 40})   # avant l'instanciation

Seuls les paramètres détectés statiquement (`apps.strategies.runtime.params`) sont acceptés ;
chaque valeur est convertie au type du paramètre (int ou float). Sans valeur imposée, la classe
n'est pas touchée : le backtest est exactement celui du code tel quel.
"""

from __future__ import annotations

import math
from typing import Any

from apps.backtest.engine.errors import BacktestError
from apps.strategies.runtime.params import MAX_ABS_VALUE, strategy_parameters


def parameter_specs(code: str) -> dict[str, dict[str, Any]]:
    """`{nom: {"name", "default", "type", "line"}}` des paramètres détectés dans le code."""
    return {spec["name"]: spec for spec in strategy_parameters(code)}


def cast_value(spec: dict[str, Any], value: Any) -> int | float:
    """La valeur convertie au type du paramètre ; `BacktestError` (français) sinon."""
    name = spec["name"]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BacktestError(f"Paramètre « {name} » : valeur non numérique ({value!r})")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BacktestError(f"Paramètre « {name} » : valeur non numérique ({value!r})") from None
    if not math.isfinite(number) or abs(number) > MAX_ABS_VALUE:
        raise BacktestError(f"Paramètre « {name} » : valeur non finie ou trop grande ({value!r})")
    if spec["type"] == "int":
        if not number.is_integer():
            raise BacktestError(f"Paramètre « {name} » : nombre entier attendu ({value!r})")
        return int(number)
    return number


def cast_params(code: str, params: dict[str, Any] | None) -> dict[str, int | float]:
    """Vérifie et convertit les valeurs imposées (noms connus, nombres finis, bon type)."""
    if not params:
        return {}
    if not isinstance(params, dict):
        raise BacktestError("Paramètres attendus : un dictionnaire {nom: valeur}")
    specs = parameter_specs(code)
    unknown = [str(name) for name in params if name not in specs]
    if unknown:
        known = ", ".join(specs) or "aucun"
        raise BacktestError(f"Paramètre(s) inconnu(s) : {', '.join(unknown)} (paramètres de la "
                            f"stratégie : {known})")
    return {name: cast_value(specs[name], value) for name, value in params.items()}


def parse_assignments(text: str) -> dict[str, str]:
    """`"fast=12,slow=40"` → `{"fast": "12", "slow": "40"}` (valeurs vérifiées par `cast_params`)."""
    params: dict[str, str] = {}
    for item in (text or "").split(","):
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise BacktestError(f"Paramètre invalide : « {item.strip()} » (attendu nom=valeur, "
                                "ex. « fast=12,slow=40 »)")
        params[name.strip()] = value.strip()
    return params


def apply_params(cls: type, code: str, params: dict[str, Any] | None) -> type:
    """Impose les valeurs à la classe chargée (avant toute instanciation) ; renvoie la classe."""
    for name, value in cast_params(code, params).items():
        setattr(cls, name, value)
    return cls


def strategy_with_params(code: str, params: dict[str, Any] | None) -> type | str:
    """Ce que `run_backtest` reçoit : le code tel quel sans valeur imposée (backtest identique),
    sinon la classe chargée à neuf avec ses paramètres imposés."""
    if not params:
        return code
    from apps.strategies.runtime.loader import StrategyLoadError, load_strategy_class

    cast = cast_params(code, params)
    try:
        cls = load_strategy_class(code)
    except StrategyLoadError as exc:
        raise BacktestError(exc.message, extra={"line": exc.line}) from exc
    for name, value in cast.items():
        setattr(cls, name, value)
    return cls
