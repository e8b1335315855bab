"""Globales et objets vus par le code de l'utilisateur pendant la passe vectorisée (`vector.py`).

`len`, `type`, `pandas.isna`… savent lire une voie ; un module est enveloppé (`ModuleLane`) : ses
fonctions pures connues passent, toute autre fonction étrangère abandonne la passe (elle ne
serait appelée qu'une fois par exécution au lieu d'une fois par bougie) ; `self` est un
mandataire en lecture seule (`SelfLane`).
"""

from __future__ import annotations

import builtins
from types import BuiltinFunctionType, ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from apps.backtest.engine.lanes import F64, PYBOOL, PYFLOAT, Abort, Ctx, DataLane, Lane, abort

if TYPE_CHECKING:
    from apps.backtest.engine.vector import Env

#: Valeurs lisibles telles quelles (immuables).
IMMUTABLE = (int, float, str, bool, type(None), bytes, np.float64, np.bool_, np.int64)


def _has_lane(items: Any) -> bool:
    for item in items:
        if isinstance(item, Lane | DataLane | SelfLane):
            return True
        if type(item) in (list, tuple, set, frozenset) and _has_lane(item):
            return True
        if type(item) is dict and _has_lane(item.values()):
            return True
    return False


def lane_isna(obj: Any) -> Any:
    if isinstance(obj, Lane):
        values = np.isnan(obj._v) if obj._kind in (F64, PYFLOAT) else np.zeros(len(obj._v), bool)
        return Lane(values, PYBOOL, obj._ctx)
    if _has_lane((obj,)):
        raise Abort()
    return pd.isna(obj)


def lane_notna(obj: Any) -> Any:
    if isinstance(obj, Lane):
        result = lane_isna(obj)
        return Lane(~result._v, PYBOOL, result._ctx)
    if _has_lane((obj,)):
        raise Abort()
    return pd.notna(obj)


SPECIAL = {id(pd.isna): lane_isna, id(pd.isnull): lane_isna, id(pd.notna): lane_notna,
           id(pd.notnull): lane_notna}


def lane_len(obj: Any) -> Any:
    if isinstance(obj, DataLane):
        return obj.lane_len()
    return builtins.len(obj)


def lane_type(*args: Any) -> Any:
    if len(args) == 1 and isinstance(args[0], Lane | DataLane | SelfLane):
        return args[0].__class__
    return type(*args)


LANE_BUILTINS = {"len": lane_len, "type": lane_type, "id": abort, "hash": abort, "globals": abort,
                 "vars": abort, "locals": abort, "eval": abort, "exec": abort,
                 "__import__": abort}


def wrap_foreign(value: Any) -> Any:
    """Valeur d'un module (ou globale étrangère) vue par le code vectorisé.

    Une fonction étrangère n'est appelée qu'une fois par exécution, et non à chaque bougie :
    seules les fonctions pures connues passent (`math`, ufuncs numpy : voir
    `Lane.__array_ufunc__`, `pandas.isna`…) ; toute autre (`time.sleep`, `random.random`,
    `ta.ema`…) abandonne la passe. Classes : types scalaires seulement (`SAFE_TYPES`, numpy).
    """
    special = SPECIAL.get(id(value))
    if special is not None:
        return special
    if isinstance(value, ModuleType):
        return ModuleLane(value)
    if isinstance(value, np.ufunc) or type(value) in IMMUTABLE:
        return value
    if isinstance(value, type):
        return value if value in SAFE_TYPES or issubclass(value, np.generic) else OPAQUE
    if isinstance(value, BuiltinFunctionType) and getattr(value, "__module__", None) == "math":
        return value
    return OPAQUE


class Opaque:
    """Objet étranger non émulé : tout usage abandonne la passe."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        raise Abort()

    __call__ = __setattr__ = __delattr__ = __getitem__ = __iter__ = __len__ = __bool__ = abort
    __eq__ = __hash__ = __str__ = __repr__ = __format__ = __instancecheck__ = abort


OPAQUE = Opaque()
#: Classes lisibles (isinstance, conversions) : une voie passée à leur constructeur passe par
#: `__float__`, `__int__`, `__str__` (abandon) ou `__bool__` (coupure) ; les autres classes
#: (pandas, tableaux…) pourraient lire une voie autrement : abandon.
SAFE_TYPES = frozenset({int, float, bool, str})


class ModuleLane:
    """Module vu par le code vectorisé : seules ses fonctions pures connues passent (`wrap_foreign`)."""

    __slots__ = ("_av_module",)

    def __init__(self, module: ModuleType) -> None:
        object.__setattr__(self, "_av_module", module)

    def __getattr__(self, name: str) -> Any:
        return wrap_foreign(getattr(self._av_module, name))

    __setattr__ = __delattr__ = abort


class SelfLane:
    """`self` pendant la passe vectorisée (lectures seulement)."""

    __slots__ = ("_av_env", "_av_ctx")

    def __init__(self, env: Env, ctx: Ctx) -> None:
        object.__setattr__(self, "_av_env", env)
        object.__setattr__(self, "_av_ctx", ctx)

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return self._av_env.cls

    def __getattr__(self, name: str) -> Any:
        return self._av_env.attribute(name, self)

    __setattr__ = __delattr__ = __len__ = __bool__ = __str__ = __repr__ = __hash__ = abort
    __eq__ = __iter__ = __getitem__ = __format__ = __dir__ = __reduce__ = __reduce_ex__ = abort
