"""Vues légères « bougies jusqu'à i » données aux méthodes de décision (chemin rapide).

La stratégie est instanciée UNE fois sur tout l'historique (indicateurs vectorisés dans
`__init__`). Ensuite, pour la bougie i, ses attributs alignés sur les bougies (DataFrame,
Series) sont remplacés par des vues qui se comportent comme `objet.iloc[:i + 1]` :
- opérations fréquentes lues directement dans les données (`len()`, `df["col"]`, `df.col`,
  `s.iloc[-k]`, `s.iloc[a:b]`, `df.iloc[a:b]`, `s.values`, `df.columns`) ;
- tout le reste (méthodes et attributs pandas, opérateurs, fonctions numpy) est délégué à une
  vraie tranche pandas `objet.iloc[:i + 1]`, construite une fois par bougie ;
- une écriture (`df["x"] = …`, `df.loc[…] = …`) travaille sur une copie propre à la bougie.
Les vues se déclarent `pandas.DataFrame` / `pandas.Series` pour `isinstance` (`__class__`).

Deux niveaux de vitesse :
- « turbo » (au départ) : `df["col"]` est une recherche de dict en C (`TurboFrameView` hérite
  de `dict`) et, pour une colonne lue souvent par `iloc[entier]`, `iloc` devient une `deque`
  des i + 1 premières valeurs, allongée d'une valeur par bougie (lecture en C) ;
- « sûr » : classes Python ordinaires. Le turbo ne diffère du sûr qu'en levant une exception
  (clé non hachable comme `df[["a", "b"]]`, `iloc[a:b]` sur une deque…) : à la première
  exception, la boucle repasse toutes les vues en mode sûr et rejoue la bougie.
Pas de `__getattr__` (il ralentit tout accès) : la délégation passe par des propriétés générées
pour chaque nom de l'API pandas (`install_delegates`).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
import pandas as pd

from apps.backtest.engine.viewbase import (
    Cursor,
    ViewMixin,
    binary_op,
    delegate,
    missing_attribute,
    positive_slice,
    unwrap,
)

#: Types numpy dont `tableau[j]` rend exactement ce que rend `Series.iloc[j]`.
FAST_KINDS = frozenset("biufcO")
_OUT_OF_BOUNDS = "single positional indexer is out-of-bounds"
#: Lectures `iloc[entier]` d'une colonne avant son passage en deque (mode turbo).
TURBO_AFTER = 64


class _SeriesILoc:
    """`serie.iloc[...]` (mode sûr) ; un entier est lu directement dans le tableau."""

    __slots__ = ("_av_view", "_av_values", "_av_cursor", "_av_hits")

    def __init__(self, view: SeriesView, values: np.ndarray | None) -> None:
        self._av_view = view
        self._av_values = values
        self._av_cursor = view._av_cursor
        self._av_hits = 0

    def __getitem__(self, key: Any) -> Any:
        if type(key) is int and self._av_values is not None:
            end = self._av_cursor.end
            if key < 0:
                key += end
                if key < 0:
                    raise IndexError(_OUT_OF_BOUNDS)
            elif key >= end:
                raise IndexError(_OUT_OF_BOUNDS)
            self._av_hits += 1
            if self._av_hits == TURBO_AFTER and self._av_cursor.turbo:
                self._av_view._av_promote()
            return self._av_values[key]
        if type(key) is slice:
            norm = positive_slice(key, self._av_cursor.end)
            if norm is not None:
                return self._av_view._av_obj.iloc[norm]
        return self._av_view._av_real().iloc[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._av_view._av_real().iloc[key] = unwrap(value)


class TurboILoc(deque):
    """`iloc` turbo : deque des i + 1 premières valeurs (scalaires numpy), lecture en C.

    Une tranche ou une clé non entière lève TypeError : la boucle repasse alors en mode sûr.
    """

    __slots__ = ()

    def __setitem__(self, key: Any, value: Any) -> None:
        raise TypeError("écriture via iloc : mode sûr requis")


class SeriesView(ViewMixin):
    """Vue d'une `Series` alignée sur les bougies, limitée aux i + 1 premières valeurs."""

    __slots__ = ("_av_obj", "_av_cursor", "_av_slice", "_av_slice_end", "iloc", "_av_safe",
                 "__weakref__")

    def __init__(self, series: pd.Series, cursor: Cursor) -> None:
        self._av_obj = series
        self._av_cursor = cursor
        self._av_slice: Any = None
        self._av_slice_end = -1
        values = series._values
        fast = isinstance(values, np.ndarray) and values.dtype.kind in FAST_KINDS
        self._av_safe = _SeriesILoc(self, values if fast else None)
        self.iloc: Any = self._av_safe

    def _av_promote(self) -> None:
        """Passe `iloc` en deque turbo (allongée par la boucle via `cursor.feeds`)."""
        cursor = self._av_cursor
        boxed = list(self._av_safe._av_values)
        self.iloc = TurboILoc(boxed[: cursor.end])
        cursor.turbo_series.append(self)
        cursor.feeds.append((self.iloc.append, boxed))

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return pd.Series

    def __getitem__(self, key: Any) -> Any:
        return self._av_real()[unwrap(key)]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._av_real()[unwrap(key)] = unwrap(value)

    @property
    def index(self) -> pd.Index:
        return self._av_obj.index[: self._av_cursor.end]

    @property
    def values(self) -> Any:
        values = self._av_obj._values
        if isinstance(values, np.ndarray) and values.dtype.kind in FAST_KINDS:
            return values[: self._av_cursor.end]
        return self._av_real().values


class _FrameILoc:
    """`df.iloc[...]` : tranches lues sur l'objet complet, le reste via pandas."""

    __slots__ = ("_av_view",)

    def __init__(self, view: Any) -> None:
        self._av_view = view

    def __getitem__(self, key: Any) -> Any:
        view = self._av_view
        if type(key) is slice and view._av_owned < 0:
            norm = positive_slice(key, view._av_cursor.end)
            if norm is not None:
                return view._av_obj.iloc[norm]
        return view._av_real().iloc[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._av_view._av_own().iloc[key] = unwrap(value)


class _Indexer:
    """`df.loc` / `df.at` / `df.iat` : lecture sur la tranche, écriture sur la copie de la bougie."""

    __slots__ = ("_av_view", "_av_name")

    def __init__(self, view: Any, name: str) -> None:
        self._av_view = view
        self._av_name = name

    def __getitem__(self, key: Any) -> Any:
        return getattr(self._av_view._av_real(), self._av_name)[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        getattr(self._av_view._av_own(), self._av_name)[key] = unwrap(value)


class _FrameMixin(ViewMixin):
    """Comportement commun des vues de DataFrame (sûre et turbo)."""

    __slots__ = ()

    def _av_init(self, frame: pd.DataFrame, cursor: Cursor, columns: dict[Any, SeriesView]) -> None:
        self._av_obj = frame
        self._av_cursor = cursor
        self._av_slice = None
        self._av_slice_end = -1
        self._av_owned = -1  # bougie pour laquelle une copie modifiable existe
        self._av_columns = columns
        self.iloc = _FrameILoc(self)

    def _av_own(self) -> pd.DataFrame:
        """Copie propre à la bougie courante (écritures), comme dans le chemin exact."""
        end = self._av_cursor.end
        if self._av_owned != end:
            self._av_slice = self._av_obj.iloc[:end].copy()
            self._av_slice_end = self._av_owned = end
            self._av_detach()
            self._av_cursor.dirty.append(self)
        return self._av_slice

    def _av_reset(self) -> None:
        self._av_owned = -1
        self._av_attach()

    def __setitem__(self, key: Any, value: Any) -> None:
        self._av_own()[unwrap(key)] = unwrap(value)

    def __delitem__(self, key: Any) -> None:
        del self._av_own()[key]

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return pd.DataFrame

    @property
    def index(self) -> pd.Index:
        return self._av_obj.index[: self._av_cursor.end] if self._av_owned < 0 else self._av_real().index

    @property
    def columns(self) -> pd.Index:
        return self._av_obj.columns if self._av_owned < 0 else self._av_real().columns

    @property
    def loc(self) -> _Indexer:
        return _Indexer(self, "loc")

    @property
    def at(self) -> _Indexer:
        return _Indexer(self, "at")

    @property
    def iat(self) -> _Indexer:
        return _Indexer(self, "iat")


_FRAME_SLOTS = ("_av_obj", "_av_cursor", "_av_slice", "_av_slice_end", "_av_owned",
                "_av_columns", "iloc", "__weakref__")


class FrameView(_FrameMixin):
    """Vue sûre d'un `DataFrame` aligné sur les bougies (i + 1 premières lignes)."""

    __slots__ = (*_FRAME_SLOTS, "_av_active")

    def __init__(self, frame: pd.DataFrame, cursor: Cursor, columns: dict[Any, SeriesView]) -> None:
        self._av_init(frame, cursor, columns)
        self._av_active = columns  # {} tant qu'une copie modifiable existe pour la bougie

    def _av_detach(self) -> None:
        self._av_active = {}

    def _av_attach(self) -> None:
        self._av_active = self._av_columns

    def __getitem__(self, key: Any) -> Any:
        try:
            return self._av_active[key]
        except (KeyError, TypeError):
            return self._av_real()[unwrap(key)]


class TurboFrameView(dict, _FrameMixin):
    """Vue turbo : un `dict` colonne → `SeriesView` (`df["col"]` en C) ; le reste comme la vue sûre.

    Une clé non hachable (`df[["a", "b"]]`, `df[-5:]`, `df[masque]`) lève TypeError, ce qui
    fait repasser la boucle en mode sûr ; une autre clé absente passe par `__missing__`.
    """

    __slots__ = _FRAME_SLOTS

    def __init__(self, frame: pd.DataFrame, cursor: Cursor, columns: dict[Any, SeriesView]) -> None:
        dict.__init__(self, columns)
        self._av_init(frame, cursor, columns)

    def _av_detach(self) -> None:
        dict.clear(self)

    def _av_attach(self) -> None:
        dict.update(self, self._av_columns)

    def __missing__(self, key: Any) -> Any:
        return self._av_real()[key]

    # `dict` précède les mixins dans le MRO : ses méthodes spéciales sont remplacées ici.
    __reversed__ = None  # type: ignore[assignment]
    __or__ = binary_op("__or__")
    __ror__ = binary_op("__ror__")
    __ior__ = binary_op("__or__")
    __eq__ = binary_op("__eq__")
    __ne__ = binary_op("__ne__")
    __lt__ = binary_op("__lt__")
    __le__ = binary_op("__le__")
    __gt__ = binary_op("__gt__")
    __ge__ = binary_op("__ge__")
    __setitem__ = _FrameMixin.__setitem__
    __delitem__ = _FrameMixin.__delitem__
    __iter__ = ViewMixin.__iter__
    __contains__ = ViewMixin.__contains__
    __len__ = ViewMixin.__len__
    __repr__ = ViewMixin.__repr__
    __str__ = ViewMixin.__str__  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]


def _own_names(cls: type) -> set[str]:
    return {name for klass in cls.__mro__ if klass not in (dict, object) for name in vars(klass)}


def install_delegates() -> None:
    """Propriétés déléguées pour chaque nom de l'API pandas (refait si un accesseur apparaît)."""
    pairs = ((SeriesView, pd.Series), (FrameView, pd.DataFrame), (TurboFrameView, pd.DataFrame))
    for view_cls, pandas_cls in pairs:
        own = _own_names(view_cls)
        for name in dir(pandas_cls):
            if not name.startswith("__") and name not in own:
                setattr(view_cls, name, delegate(name))
    for name in ("popitem", "setdefault", "fromkeys", "clear"):  # méthodes de dict sans équivalent
        if not hasattr(pd.DataFrame, name):
            setattr(TurboFrameView, name, missing_attribute(name))


def _with_column_attributes(base: type, frame: pd.DataFrame) -> type:
    """Sous-classe propre à ce DataFrame : `df.close` pour chaque colonne (comme pandas)."""
    attrs: dict[str, Any] = {"__slots__": ()}
    for name in frame.columns:
        if isinstance(name, str) and name.isidentifier() and not hasattr(base, name):
            attrs[name] = property(
                lambda self, _n=name: self._av_columns[_n] if self._av_owned < 0
                else getattr(self._av_real(), _n))
    return type(base.__name__, (base,), attrs)


def make_views(obj: Any, cursor: Cursor) -> tuple[Any, Any] | None:
    """(vue turbo, vue sûre) pour un DataFrame ; (vue, vue) pour une Series ; sinon None."""
    install_delegates()
    if isinstance(obj, pd.Series):
        view = SeriesView(obj, cursor)
        return view, view
    if not isinstance(obj, pd.DataFrame):
        return None
    columns = ({name: SeriesView(obj[name], cursor) for name in obj.columns}
               if obj.columns.is_unique else {})
    turbo = _with_column_attributes(TurboFrameView, obj)(obj, cursor, columns)
    safe = _with_column_attributes(FrameView, obj)(obj, cursor, columns)
    return turbo, safe
