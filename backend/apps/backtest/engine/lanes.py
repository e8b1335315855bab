"""« Voies » de la passe de décision vectorisée (`vector.py`) : une valeur par bougie.

Une `Lane` remplace, le temps d'une exécution des méthodes de décision sur un sous-ensemble de
bougies (`Ctx.idx`), le scalaire que la méthode verrait à chacune d'elles : `values[j]` est la
valeur à la bougie `idx[j]`. Seules des opérations dont le résultat vectorisé est identique au
résultat scalaire sont émulées (comparaisons, + − × /, //, % entiers, &, |, ^, ~ booléens, quelques
ufuncs) ; le type scalaire émulé (`int`, `float`, `bool`, `numpy.float64`, `numpy.bool_`) suit les
règles de Python et de numpy. `bool(voie)` d'une voie mixte lève `Split` : la méthode est rejouée
sur chaque moitié. Toute autre opération lève `Abort` : la passe vectorisée est abandonnée et la
boucle bougie par bougie décide, inchangée. Une opération qui lèverait sur certaines bougies
(indice hors limites, division par zéro) les exclut (`Exclude`) : elles seront décidées par le
vrai code, bougie par bougie.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
import pandas as pd

#: Types scalaires émulés.
PYINT, PYFLOAT, PYBOOL, F64, NPBOOL = range(5)
NUMPY_KINDS = frozenset({F64, NPBOOL})
BOOL_KINDS = frozenset({PYBOOL, NPBOOL})
EMULATED = {PYINT: int, PYFLOAT: float, PYBOOL: bool, F64: np.float64, NPBOOL: np.bool_}
#: Tableaux décalés gardés en cache par passe (`iloc[-k]` : un par colonne et par k).
MAX_SHIFTED = 24
#: Plus grand entier exact en float64 (au-delà : abandon).
MAX_EXACT_INT = 2**53
_ARITH = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
          "truediv": operator.truediv, "floordiv": operator.floordiv, "mod": operator.mod}
_COMPARE = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
            "eq": operator.eq, "ne": operator.ne}
_LOGIC = {"and": operator.and_, "or": operator.or_, "xor": operator.xor}
_UFUNC_BOOL = frozenset({np.isnan, np.isfinite, np.isinf})
_UFUNC_FLOAT = frozenset({np.absolute, np.fabs, np.negative, np.maximum, np.minimum, np.fmax,
                          np.fmin})


class Abort(BaseException):  # noqa: N818 (signal interne, hors de `except Exception`)
    """Opération non émulée : la passe vectorisée est abandonnée."""


class Split(BaseException):  # noqa: N818
    """`bool()` d'une voie mixte : rejouer la méthode sur `mask` puis sur `~mask`."""

    def __init__(self, mask: np.ndarray) -> None:
        super().__init__()
        self.mask = mask


class Exclude(BaseException):  # noqa: N818
    """Bougies `mask` laissées au vrai code (il y lèverait une exception)."""

    def __init__(self, mask: np.ndarray) -> None:
        super().__init__()
        self.mask = mask


class Ctx:
    """Une exécution d'une méthode sur les bougies `idx` ; `script` : réponses des `bool()`."""

    __slots__ = ("idx", "script", "pos", "signal", "span", "shifted")

    def __init__(self, idx: np.ndarray, script: list[bool], shifted: dict[Any, np.ndarray]) -> None:
        self.idx = idx  # croissant
        self.script = script
        self.pos = 0
        self.signal: BaseException | None = None  # signal levé (un `except:` l'aurait avalé)
        contiguous = len(idx) and int(idx[-1]) - int(idx[0]) + 1 == len(idx)
        self.span = slice(int(idx[0]), int(idx[-1]) + 1) if contiguous else None
        self.shifted = shifted  # (id(valeurs), décalage) → valeurs décalées (partagé)

    def take(self, full: np.ndarray) -> np.ndarray:
        """`full[idx]` (une vue si les bougies sont contiguës)."""
        return full[self.span] if self.span is not None else full[self.idx]

    def raise_signal(self, signal: BaseException) -> None:
        self.signal = signal
        raise signal

    def branch(self, truth: np.ndarray) -> bool:
        """Réponse de `bool()` : rejouée, uniforme (notée), ou `Split`."""
        if self.pos < len(self.script):
            answer = self.script[self.pos]
            if not (truth.all() if answer else not truth.any()):
                self.raise_signal(Abort())  # exécution non déterministe
            self.pos += 1
            return answer
        if truth.all() or not truth.any():
            answer = bool(truth.all())
            self.script.append(answer)
            self.pos += 1
            return answer
        self.raise_signal(Split(truth))
        raise AssertionError  # pragma: no cover

    def exclude(self, mask: np.ndarray) -> None:
        self.raise_signal(Exclude(mask))


def abort(*_args: Any, **_kwargs: Any) -> Any:
    raise Abort()


def _operand(ctx: Ctx, other: Any) -> tuple[Any, int]:
    """(valeurs, type émulé) d'un opérande : voie de la même exécution ou constante numérique."""
    if isinstance(other, Lane):
        if other._ctx is not ctx:
            raise Abort()
        return other._v, other._kind
    kind = type(other)
    if kind is bool:
        return other, PYBOOL
    if kind is int:
        if abs(other) >= MAX_EXACT_INT:
            raise Abort()
        return other, PYINT
    if kind is float:
        return other, PYFLOAT
    if kind is np.float64:
        return other, F64
    if kind is np.bool_:
        return other, NPBOOL
    raise Abort()


def _arith(ctx: Ctx, a: tuple[Any, int], b: tuple[Any, int], name: str) -> Lane:
    (av, ka), (bv, kb) = a, b
    if ka in BOOL_KINDS or kb in BOOL_KINDS:
        raise Abort()  # True + True : 2 en Python, True avec numpy
    integral = ka == PYINT and kb == PYINT
    if name in ("floordiv", "mod") and not integral:
        raise Abort()
    if name in ("truediv", "floordiv", "mod"):
        zero = np.asarray(bv == 0)
        if zero.any():
            ctx.exclude(np.broadcast_to(zero, ctx.idx.shape).copy())
    if F64 in (ka, kb):
        kind = F64
    elif integral and name != "truediv":
        kind = PYINT
    else:
        kind = PYFLOAT
    with np.errstate(all="raise"):
        try:
            values = _ARITH[name](av, bv)
        except FloatingPointError:
            raise Abort() from None
    values = np.asarray(values)
    if kind == PYINT and (values.dtype.kind != "i" or np.abs(values).max(initial=0) >= MAX_EXACT_INT):
        raise Abort()
    return Lane(values if kind == PYINT else values.astype(np.float64, copy=False), kind, ctx)


def _binary(name: str, reflected: bool) -> Any:
    def method(self: Lane, other: Any) -> Any:
        a = (self._v, self._kind)
        b = _operand(self._ctx, other)
        if reflected:
            a, b = b, a
        if name in _ARITH:
            return _arith(self._ctx, a, b, name)
        (av, ka), (bv, kb) = a, b
        if name in _COMPARE:
            kind = NPBOOL if ka in NUMPY_KINDS or kb in NUMPY_KINDS else PYBOOL
            return Lane(np.asarray(_COMPARE[name](av, bv)), kind, self._ctx)
        if ka not in BOOL_KINDS or kb not in BOOL_KINDS:
            raise Abort()
        kind = NPBOOL if NPBOOL in (ka, kb) else PYBOOL
        return Lane(np.asarray(_LOGIC[name](av, bv)), kind, self._ctx)

    method.__name__ = f"__{'r' if reflected else ''}{name}__"
    return method


class Lane:
    """Valeur scalaire d'une méthode de décision, une par bougie de `ctx.idx`."""

    __slots__ = ("_v", "_kind", "_ctx")
    __array_priority__ = 10_000

    def __init__(self, values: np.ndarray, kind: int, ctx: Ctx) -> None:
        object.__setattr__(self, "_v", values)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_ctx", ctx)

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return EMULATED[self._kind]

    def __bool__(self) -> bool:
        values = self._v
        return self._ctx.branch(values if self._kind in BOOL_KINDS else values != 0)

    def _unary(self, func: Any) -> Lane:
        if self._kind in BOOL_KINDS:
            raise Abort()
        return Lane(func(self._v), self._kind, self._ctx)

    def __neg__(self) -> Lane:
        return self._unary(operator.neg)

    def __pos__(self) -> Lane:
        return self._unary(operator.pos)

    def __abs__(self) -> Lane:
        return self._unary(np.abs)

    def __invert__(self) -> Lane:
        if self._kind != NPBOOL:
            raise Abort()  # ~True vaut -2 en Python
        return Lane(~self._v, NPBOOL, self._ctx)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Lane:
        if method != "__call__" or kwargs or not (ufunc in _UFUNC_BOOL or ufunc in _UFUNC_FLOAT):
            raise Abort()
        operands = [_operand(self._ctx, x) for x in inputs]
        for value, (_, kind) in zip(inputs, operands, strict=True):
            if kind in BOOL_KINDS or (kind == PYINT and isinstance(value, Lane)):
                raise Abort()  # ufunc d'un entier Python : résultat numpy entier, non émulé
        with np.errstate(all="raise"):
            try:
                values = np.asarray(ufunc(*(v for v, _ in operands)))
            except FloatingPointError:
                raise Abort() from None
        return Lane(values, NPBOOL if ufunc in _UFUNC_BOOL else F64, self._ctx)

    def __getattr__(self, name: str) -> Any:
        raise Abort()

    __setattr__ = __delattr__ = __getitem__ = __setitem__ = __len__ = __iter__ = abort
    __contains__ = __index__ = __int__ = __float__ = __complex__ = __round__ = abort
    __str__ = __repr__ = __format__ = __hash__ = __array__ = __reduce__ = __reduce_ex__ = abort
    __copy__ = __deepcopy__ = __trunc__ = __floor__ = __ceil__ = __pow__ = __rpow__ = abort
    __lshift__ = __rshift__ = __rlshift__ = __rrshift__ = __divmod__ = __rdivmod__ = abort
    __matmul__ = __rmatmul__ = __bytes__ = __dir__ = __sizeof__ = abort


for _name in (*_ARITH, *_LOGIC):
    setattr(Lane, f"__{_name}__", _binary(_name, False))
    setattr(Lane, f"__r{_name}__", _binary(_name, True))
for _name in _COMPARE:
    setattr(Lane, f"__{_name}__", _binary(_name, False))


class DataLane:
    """Socle des voies de données (DataFrame, Series, tableau alignés : « bougies <= i »)."""

    __slots__ = ("_ctx",)
    _emulated: type = object

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return self._emulated

    def lane_len(self) -> Lane:
        """`len(objet)` à chaque bougie : i + 1."""
        return Lane(self._ctx.idx + 1, PYINT, self._ctx)  # (`idx` : bougies de 0 à n − 1)

    def __getattr__(self, name: str) -> Any:
        raise Abort()

    __setattr__ = __delattr__ = __setitem__ = __len__ = __iter__ = __contains__ = abort
    __bool__ = __str__ = __repr__ = __format__ = __hash__ = __array__ = __reduce__ = abort
    __reduce_ex__ = __copy__ = __deepcopy__ = __dir__ = __eq__ = __ne__ = __lt__ = abort
    __le__ = __gt__ = __ge__ = __add__ = __sub__ = __mul__ = __truediv__ = __neg__ = abort
    __array_ufunc__ = __radd__ = __rsub__ = __rmul__ = __rtruediv__ = __and__ = __or__ = abort


def _lane_kind(values: np.ndarray) -> int:
    if values.dtype == np.float64:
        return F64
    if values.dtype == np.bool_:
        return NPBOOL
    raise Abort()


class LaneArray(DataLane):
    """`valeurs[:i + 1]` : `a[k]` (entier ou voie entière) et `len(a)`."""

    __slots__ = ("_values",)
    _emulated = np.ndarray

    def __init__(self, values: np.ndarray, ctx: Ctx) -> None:
        if values.ndim != 1:
            raise Abort()
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_ctx", ctx)

    def __getitem__(self, key: Any) -> Lane:
        ctx, values = self._ctx, self._values
        kind = _lane_kind(values)
        idx = ctx.idx
        if type(key) is not int:
            if not (isinstance(key, Lane) and key._ctx is ctx and key._kind == PYINT):
                raise Abort()
            pos = np.where(key._v < 0, idx + 1 + key._v, key._v)
            bad = (pos < 0) | (pos > idx)
            if bad.any():
                ctx.exclude(bad)  # IndexError à ces bougies : le vrai code le dira
            return Lane(values[pos], kind, ctx)
        first = -(1 + key) if key < 0 else key  # première bougie où l'indice existe
        if int(idx[0]) < first:
            ctx.exclude(idx < first)
        if key >= 0:
            return Lane(np.full(len(idx), values[key]), kind, ctx)
        lag = -(1 + key)
        if ctx.span is not None:  # bougies contiguës : une vue décalée, sans copie
            return Lane(self._values[ctx.span.start - lag: ctx.span.stop - lag], kind, ctx)
        return Lane(ctx.take(self._shifted(lag)), kind, ctx)

    def _shifted(self, lag: int) -> np.ndarray:
        """`full[i] = valeurs[i − lag]` (i >= lag), calculé une fois par exécution complète."""
        values = self._values
        if lag == 0:
            return values
        key = (id(values), lag)
        full = self._ctx.shifted.get(key)
        if full is None and len(self._ctx.shifted) >= MAX_SHIFTED:  # mémoire bornée
            return np.concatenate((values[:lag], values[: len(values) - lag]))
        if full is None:
            full = np.empty_like(values)
            full[lag:] = values[: len(values) - lag]
            full[:lag] = values[:lag]  # jamais lu (bougies exclues)
            self._ctx.shifted[key] = full
        return full


class LaneSeries(DataLane):
    """`serie.iloc[:i + 1]` : `.iloc[k]`, `.iat[k]`, `.values[k]`, `len(s)`."""

    __slots__ = ("_values",)
    _emulated = pd.Series

    def __init__(self, values: np.ndarray, ctx: Ctx) -> None:
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_ctx", ctx)

    @property
    def iloc(self) -> LaneArray:
        return LaneArray(self._values, self._ctx)

    iat = values = iloc

    def __getitem__(self, key: Any) -> Any:
        raise Abort()


class LaneFrame(DataLane):
    """`df.iloc[:i + 1]` : `df["col"]`, `df.col` et `len(df)`."""

    __slots__ = ("_columns",)
    _emulated = pd.DataFrame

    def __init__(self, columns: Any, ctx: Ctx) -> None:
        object.__setattr__(self, "_columns", columns)
        object.__setattr__(self, "_ctx", ctx)

    def __getitem__(self, key: Any) -> LaneSeries:
        if type(key) is not str:
            raise Abort()
        return LaneSeries(self._columns(key), self._ctx)

    def __getattr__(self, name: str) -> LaneSeries:
        if name.startswith("_") or hasattr(pd.DataFrame, name):
            raise Abort()
        return LaneSeries(self._columns(name), self._ctx)
