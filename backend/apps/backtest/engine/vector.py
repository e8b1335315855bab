"""Passe de décision vectorisée : `should_long()` / `should_short()` évaluées une fois pour
toutes les bougies, sans changer le code de l'utilisateur.

Les méthodes de la classe (et les fonctions du module de l'utilisateur) sont recompilées
(`FunctionType` sur le même bytecode) avec des globales où `len`, `type`, `pandas.isna`… savent
lire des voies (`lanes.py`) ; `self` est un mandataire dont les données alignées sur les bougies
sont des voies (`self.candles["ema"].iloc[-2]` → la valeur à i − 1 pour chaque bougie i). Une
exécution porte sur un sous-ensemble de bougies ; `bool()` d'une voie mixte la coupe en deux
(`Split`), chaque moitié étant rejouée avec la suite des réponses déjà données (`Ctx.script`).

Abandon (`Abort` : la boucle bougie par bougie décide, comme avant) pour toute opération non
émulée : écriture d'attribut ou de globale, lecture de `self.balance` / `self.position` ou d'un
attribut modifiable, `import`, `is`, appel d'une fonction étrangère avec une voie, exception
avalée par un `except:`… Les bougies où le code lève (ou rend autre chose qu'un booléen) sont
laissées au vrai code (`unknown`), bougie par bougie, pendant la simulation (`vector_loop.py`).
"""

from __future__ import annotations

import dis
from collections.abc import Callable
from dataclasses import dataclass, field
from types import CodeType, FunctionType, MethodType
from typing import Any

import numpy as np
import pandas as pd

from apps.backtest.engine.lane_globals import (
    IMMUTABLE,
    LANE_BUILTINS,
    OPAQUE,
    SelfLane,
    wrap_foreign,
)
from apps.backtest.engine.lanes import (
    NPBOOL,
    PYBOOL,
    Abort,
    Ctx,
    DataLane,
    Exclude,
    Lane,
    LaneArray,
    LaneFrame,
    LaneSeries,
    Split,
)

#: Exécutions d'une méthode au plus (chemins distincts × exclusions).
MAX_RUNS = 512
#: Part maximale de bougies laissées au vrai code (au-delà : boucle bougie par bougie).
MAX_UNKNOWN_SHARE = 0.05
#: Opcodes refusés : identité (`x is y` : une voie n'est pas le scalaire), écritures de
#: globales, imports (modules non enveloppés).
FORBIDDEN_OPS = frozenset({"IS_OP", "STORE_GLOBAL", "DELETE_GLOBAL", "IMPORT_NAME", "IMPORT_FROM"})
ABSENT = object()


def code_objects(code: CodeType) -> list[CodeType]:
    found = [code]
    for const in code.co_consts:
        if isinstance(const, CodeType):
            found.extend(code_objects(const))
    return found


@dataclass
class Guard:
    """Ce que la passe a lu : doit rester identique pendant la simulation, sinon la boucle
    bougie par bougie refait tout (un appel de `calculate_*` a pu changer l'état lu)."""

    instance_reads: dict[str, Any] = field(default_factory=dict)  # nom → objet (ou ABSENT)
    globals_reads: list[tuple[dict, str, Any]] = field(default_factory=list)
    class_dicts: list[tuple[type, dict[str, Any]]] = field(default_factory=list)
    columns: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    aligned_reads: set[str] = field(default_factory=set)  # données alignées lues (vues)

    def watch_views(self, instance_dict: dict[str, Any], skip: set[str]) -> None:
        """Les vues lues ne doivent pas être remplacées (`self.candles = …` dans `calculate_*`)."""
        for name in self.aligned_reads - skip:
            self.instance_reads[name] = instance_dict.get(name, ABSENT)
        self.freeze()

    def freeze(self) -> None:
        """Fin des lectures : `quick_ok` compare des tuples précalculés."""
        reads = self.instance_reads.items()
        self._absent = tuple(name for name, value in reads if value is ABSENT)
        self._present = tuple((name, value) for name, value in reads if value is not ABSENT)

    def quick_ok(self, instance_dict: dict[str, Any]) -> bool:
        """Après chaque appel du vrai code : les attributs lus n'ont pas changé."""
        if not hasattr(self, "_absent"):
            self.freeze()
        for name in self._absent:
            if name in instance_dict:
                return False
        get = instance_dict.get
        for name, value in self._present:  # noqa: SIM110 (plus rapide qu'`all()` ici)
            if get(name, ABSENT) is not value:
                return False
        return True

    def full_ok(self, instance_dict: dict[str, Any]) -> bool:
        """À la fin : attributs, classes, globales et données lues inchangés."""
        if not self.quick_ok(instance_dict):
            return False
        for klass, snapshot in self.class_dicts:
            current = vars(klass)
            if len(current) != len(snapshot) or any(current.get(k, ABSENT) is not v
                                                    for k, v in snapshot.items()):
                return False
        if any(g.get(name, ABSENT) is not value for g, name, value in self.globals_reads):
            return False
        return all(np.array_equal(now, then, equal_nan=now.dtype.kind == "f")
                   for now, then in self.columns)


class Env:
    """Tout ce que la passe vectorisée voit de l'instance, de sa classe et de ses modules."""

    def __init__(self, strategy: Any, originals: dict[str, Any]) -> None:
        self.cls = type(strategy)
        self.instance_dict = dict(getattr(strategy, "__dict__", {}))
        self.originals = originals
        self.guard = Guard(class_dicts=[(k, dict(vars(k))) for k in self.cls.__mro__
                                        if k is not object])
        self._functions: dict[Any, FunctionType] = {}
        self._globals: dict[int, dict[str, Any]] = {}
        self._columns: dict[tuple[str, str], np.ndarray] = {}
        for klass in self.cls.__mro__:
            if klass is not object and ("__getattr__" in vars(klass)
                                        or "__getattribute__" in vars(klass)):
                raise Abort()

    def _class_lookup(self, name: str) -> Any:
        for klass in self.cls.__mro__:
            if name in vars(klass):
                return vars(klass)[name]
        return ABSENT

    def attribute(self, name: str, proxy: SelfLane) -> Any:
        if name in ("balance", "position") or name.startswith("__"):
            raise Abort()
        if name in self.originals:
            return self._data(name, proxy._av_ctx)
        raw = self._class_lookup(name)
        if raw is not ABSENT and hasattr(type(raw), "__set__"):
            raise Abort()  # propriété, descripteur de données
        self.guard.instance_reads[name] = self.instance_dict.get(name, ABSENT)
        if name in self.instance_dict:
            value = self.instance_dict[name]
            if type(value) in IMMUTABLE:
                return value
            raise Abort()
        if raw is ABSENT:
            raise AttributeError(f"'{self.cls.__name__}' object has no attribute '{name}'")
        if type(raw) is FunctionType:
            return MethodType(self.function(raw), proxy)
        if type(raw) in IMMUTABLE:
            return raw
        raise Abort()

    def _data(self, name: str, ctx: Ctx) -> DataLane:
        self.guard.aligned_reads.add(name)
        original = self.originals[name]
        if isinstance(original, pd.DataFrame):
            if not original.columns.is_unique:
                raise Abort()
            return LaneFrame(lambda col: self._column(name, col), ctx)
        if isinstance(original, pd.Series):
            return LaneSeries(self._checked(original._values), ctx)
        return LaneArray(self._checked(original), ctx)

    def _checked(self, values: Any) -> np.ndarray:
        if not isinstance(values, np.ndarray) or values.dtype not in (np.float64, np.bool_):
            raise Abort()
        if not any(values is now for now, _ in self.guard.columns):
            self.guard.columns.append((values, values.copy()))
        return values

    def _column(self, name: str, column: str) -> np.ndarray:
        key = (name, column)
        if key not in self._columns:
            frame = self.originals[name]
            if column not in frame.columns:
                raise Abort()
            self._columns[key] = self._checked(frame[column]._values)
        return self._columns[key]

    def function(self, func: FunctionType) -> FunctionType:
        """La fonction recompilée avec des globales qui savent lire les voies."""
        lane = self._functions.get(func)
        if lane is None:
            instructions = [ins for code in code_objects(func.__code__)
                            for ins in dis.get_instructions(code)]
            if any(ins.opname in FORBIDDEN_OPS for ins in instructions):
                raise Abort()
            real = func.__globals__
            lane_globals = self._globals.get(id(real))
            if lane_globals is None:
                lane_globals = self._globals[id(real)] = dict(real)
                lane_globals.update(LANE_BUILTINS)
            lane = FunctionType(func.__code__, lane_globals, func.__name__, func.__defaults__,
                                func.__closure__)
            lane.__kwdefaults__ = func.__kwdefaults__
            self._functions[func] = lane
            names = {ins.argval for ins in instructions
                     if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")} & real.keys()
            for name in sorted(names):
                lane_globals[name] = self._global(real, name)
        return lane

    def _global(self, real: dict[str, Any], name: str) -> Any:
        value = real[name]
        self.guard.globals_reads.append((real, name, value))
        if isinstance(value, FunctionType) and value.__globals__ is real:
            return self.function(value)  # fonction du module de l'utilisateur
        if type(value) not in IMMUTABLE and wrap_foreign(value) is OPAQUE:
            raise Abort()  # globale modifiable (liste, dict, tableau…) ou fonction étrangère
        return wrap_foreign(value)


def evaluate(env: Env, method: str, n: int, tick: Callable[[], None] = lambda: None,
             shifted: dict[Any, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(décision à chaque bougie, bougies laissées au vrai code) ; `Abort` si impossible.

    `tick()` est appelé avant chaque exécution (annulation, progression)."""
    decided = np.zeros(n, dtype=bool)
    unknown = np.zeros(n, dtype=bool)
    work: list[tuple[np.ndarray, list[bool]]] = [(np.arange(n, dtype=np.int64), [])]
    runs = 0
    shifted = {} if shifted is None else shifted  # colonnes décalées, partagées entre méthodes
    while work:
        idx, script = work.pop()
        if not len(idx):
            continue
        runs += 1
        if runs > MAX_RUNS:
            raise Abort()
        tick()
        ctx = Ctx(idx, list(script), shifted)
        try:
            value = env.attribute(method, SelfLane(env, ctx))()
        except (Split, Exclude) as exc:
            if exc is not ctx.signal:
                raise Abort() from None
            if isinstance(exc, Split):
                work.append((idx[exc.mask], [*ctx.script, True]))
                work.append((idx[~exc.mask], [*ctx.script, False]))
            else:
                unknown[idx[exc.mask]] = True
                work.append((idx[~exc.mask], script))
            continue
        except Exception:  # noqa: BLE001 (code utilisateur : le vrai code le redira à chaque bougie)
            if ctx.signal is not None:
                raise Abort() from None
            unknown[idx] = True
            continue
        if ctx.signal is not None:
            raise Abort()  # un `except:` de l'utilisateur a avalé un signal
        if value is True or value is False or type(value) is np.bool_:
            decided[idx] = bool(value)
        elif isinstance(value, Lane) and value._ctx is ctx and value._kind in (PYBOOL, NPBOOL):
            decided[idx] = value._v
        else:
            unknown[idx] = True  # résultat non booléen : erreur, dite par le vrai code
    return decided, unknown


@dataclass
class Signals:
    """Décisions vectorisées : vrai / inconnu (décidé par le vrai code) à chaque bougie."""

    long: np.ndarray
    long_unknown: np.ndarray
    short: np.ndarray
    short_unknown: np.ndarray
    guard: Guard


def vector_signals(strategy: Any, originals: dict[str, Any], n: int,
                   tick: Callable[[], None] = lambda: None) -> Signals | None:
    """Décisions de toutes les bougies, ou None (boucle bougie par bougie)."""
    try:
        env = Env(strategy, originals)
        shifted: dict[Any, np.ndarray] = {}
        long, long_unknown = evaluate(env, "should_long", n, tick, shifted)
        short, short_unknown = evaluate(env, "should_short", n, tick, shifted)
    except Abort:
        return None
    if int(long_unknown.sum()) + int(short_unknown.sum()) > MAX_UNKNOWN_SHARE * n + 64:
        return None
    return Signals(long, long_unknown, short, short_unknown, env.guard)
