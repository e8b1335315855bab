"""Socle des vues « bougies jusqu'à i » : curseur partagé, délégation à pandas, opérateurs.

Voir `views.py`. Tout ce qu'une vue n'accélère pas est délégué à la vraie tranche pandas
`objet.iloc[:i + 1]` (`ViewMixin._av_real`), opérateurs et fonctions numpy compris.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np


class Cursor:
    """État partagé par les vues d'une exécution : `end` = i + 1 bougies visibles.

    `feeds` : deques turbo à allonger d'une valeur par bougie ; `dirty` : vues qui ont une
    copie modifiable pour la bougie courante (nettoyées avant d'avancer).
    """

    __slots__ = ("end", "turbo", "feeds", "dirty", "turbo_series")

    def __init__(self) -> None:
        self.end = 0
        self.turbo = True
        self.feeds: list[tuple[Any, list[Any]]] = []
        self.dirty: list[Any] = []
        self.turbo_series: list[Any] = []

    def clean(self) -> None:
        for view in self.dirty:
            view._av_reset()
        self.dirty.clear()

    def demote(self) -> None:
        """Repasse les colonnes en mode sûr (les DataFrame : voir `FastSource.demote`)."""
        self.turbo = False
        for view in self.turbo_series:
            view.iloc = view._av_safe
        self.turbo_series.clear()
        self.feeds.clear()


def positive_slice(key: slice, end: int) -> slice | None:
    """Tranche équivalente sur l'objet complet, ou None (pas négatif : repli pandas)."""
    start, stop, step = key.indices(end)
    return slice(start, stop, step) if step > 0 else None


def unwrap(value: Any) -> Any:
    return value._av_real() if isinstance(value, ViewMixin) else value


class ViewMixin:
    """Méthodes communes : délégation de ce qui n'est pas accéléré à la vraie tranche."""

    __slots__ = ()
    __array_priority__ = 1000

    def _av_real(self) -> Any:
        """La vraie tranche pandas `objet.iloc[:i + 1]` (mise en cache pour la bougie)."""
        end = self._av_cursor.end
        if self._av_slice_end != end:
            self._av_slice = self._av_obj.iloc[:end]
            self._av_slice_end = end
        return self._av_slice

    def __len__(self) -> int:
        return self._av_cursor.end

    def __iter__(self) -> Any:
        return iter(self._av_real())

    def __contains__(self, item: Any) -> bool:
        return item in self._av_real()

    def __bool__(self) -> bool:
        return bool(self._av_real())

    def __repr__(self) -> str:
        return repr(self._av_real())

    def __format__(self, spec: str) -> str:
        return format(self._av_real(), spec)

    def __dir__(self) -> list[str]:
        return dir(self._av_real())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self._av_real(), dtype=dtype)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        inputs = tuple(unwrap(x) for x in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(unwrap(x) for x in kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __round__(self, ndigits: int = 0) -> Any:
        return round(self._av_real(), ndigits)

    def __copy__(self) -> Any:
        return self._av_real().copy(deep=False)

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        return self._av_real().copy(deep=True)

    def __reduce__(self) -> Any:
        return self._av_real().__reduce__()


def binary_op(name: str) -> Any:
    def method(self: ViewMixin, other: Any) -> Any:
        return getattr(self._av_real(), name)(unwrap(other))

    method.__name__ = name
    return method


def unary_op(func: Any, name: str) -> Any:
    def method(self: ViewMixin) -> Any:
        return func(self._av_real())

    method.__name__ = name
    return method


for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "divmod", "and", "or",
            "xor", "matmul"):
    for _name in (f"__{_op}__", f"__r{_op}__", f"__i{_op}__"):
        setattr(ViewMixin, _name, binary_op(_name.replace("__i", "__", 1)))
for _name in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"):
    setattr(ViewMixin, _name, binary_op(_name))
for _func, _name in ((operator.neg, "__neg__"), (operator.pos, "__pos__"),
                     (operator.abs, "__abs__"), (operator.invert, "__invert__"),
                     (float, "__float__"), (int, "__int__"), (str, "__str__")):
    setattr(ViewMixin, _name, unary_op(_func, _name))
ViewMixin.__hash__ = None  # type: ignore[assignment]  (comme pandas : objets non hachables)


def delegate(name: str) -> property:
    return property(lambda self: getattr(self._av_real(), name), doc=f"Délégué à pandas : {name}")


def missing_attribute(name: str) -> property:
    def get(self: Any) -> Any:
        raise AttributeError(f"'DataFrame' object has no attribute '{name}'")

    return property(get)
