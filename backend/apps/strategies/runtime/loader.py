"""Chargement du code d'une stratégie (spec §3.2 B) : `exec()` dans un espace de noms neuf.

`load_strategy_class(code)` compile le code, l'exécute dans un dictionnaire pré-rempli avec
`Strategy` et `__name__`, puis renvoie l'unique sous-classe de `Strategy` qu'il définit.
Toute erreur devient une `StrategyLoadError` au message français, avec la ligne relative au code
de l'utilisateur (pour que l'éditeur puisse la marquer).

Les imports du code utilisateur passent par une liste blanche (`ALLOWED_MODULES`) : elle guide
l'utilisateur honnête, ce n'est pas une frontière de sécurité (le code tourne dans un enfant
confiné par le noyau : voir `sandbox/` et docs/strategies.md §2).
Ce module n'importe ni Django ni pandas.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import traceback
from types import CodeType
from typing import Any

from apps.strategies.runtime.base import Strategy
from apps.strategies.runtime.compat import install_pandas_ta_alias

#: Nom de « fichier » donné au code utilisateur : sert à retrouver ses lignes dans les tracebacks.
USER_FILENAME = "<strategie>"
#: `__name__` du module virtuel dans lequel le code utilisateur s'exécute.
USER_MODULE_NAME = "strategie_utilisateur"

#: Modules (racine) que le code utilisateur peut importer.
ALLOWED_MODULES: frozenset[str] = frozenset({
    "abc", "array", "bisect", "calendar", "cmath", "collections", "copy", "dataclasses",
    "datetime", "decimal", "enum", "fractions", "functools", "heapq", "itertools", "json",
    "math", "numbers", "numpy", "operator", "pandas", "pandas_ta", "pandas_ta_classic",
    "random", "re", "statistics", "string", "time", "typing", "warnings", "zoneinfo",
})
#: Builtins retirés de l'espace de noms utilisateur (fichiers, console, exécution dynamique).
REMOVED_BUILTINS: tuple[str, ...] = (
    "open", "input", "breakpoint", "exec", "eval", "compile", "exit", "quit", "help",
)


class StrategyLoadError(Exception):
    """Le code de la stratégie ne peut pas être chargé : message français + ligne (ou None).

    `kind` : "syntax" (le code ne compile pas) ou "load" (import, exécution, classe).
    """

    def __init__(self, message: str, line: int | None = None, *, kind: str = "load") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.kind = kind

    def __str__(self) -> str:
        return self.message


class ForbiddenImportError(ImportError):
    """Import d'un module hors de la liste blanche du bac à sable."""


def _guarded_import(
    name: str,
    globals: dict[str, Any] | None = None,  # noqa: A002 (signature de __import__)
    locals: dict[str, Any] | None = None,  # noqa: A002
    fromlist: tuple[str, ...] | list[str] = (),
    level: int = 0,
) -> Any:
    """`__import__` du code utilisateur : refuse les modules hors liste blanche."""
    if level:
        raise ForbiddenImportError("import relatif impossible dans une stratégie", name=name)
    root = name.partition(".")[0]
    if root not in ALLOWED_MODULES:
        if importlib.util.find_spec(root) is None:
            raise ModuleNotFoundError(f"No module named {root!r}", name=root)
        raise ForbiddenImportError(f"module {root!r} interdit", name=root)
    return builtins.__import__(name, globals, locals, fromlist, level)


def _user_builtins() -> dict[str, Any]:
    user = dict(vars(builtins))
    for name in REMOVED_BUILTINS:
        user.pop(name, None)
    user["__import__"] = _guarded_import
    return user


def new_namespace(*, restricted: bool = True) -> dict[str, Any]:
    """Espace de noms neuf pour le code utilisateur (`Strategy`, `__name__`, builtins filtrés)."""
    namespace: dict[str, Any] = {"__name__": USER_MODULE_NAME, "Strategy": Strategy}
    if restricted:
        namespace["__builtins__"] = _user_builtins()
    return namespace


def user_line(exc: BaseException) -> int | None:
    """Ligne du code utilisateur la plus profonde dans la traceback de `exc` (ou None)."""
    if isinstance(exc, SyntaxError) and exc.filename == USER_FILENAME:
        return exc.lineno
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == USER_FILENAME:
            line = lineno
    return line


def describe_exception(exc: BaseException, where: str = "") -> tuple[str, int | None]:
    """Message français + ligne pour une exception levée par le code utilisateur.

    `where` précise le contexte (ex. « dans should_long »).
    """
    line = user_line(exc)
    at = f" ligne {line}" if line is not None else ""
    ctx = f" {where}" if where else ""
    if isinstance(exc, ForbiddenImportError):
        return (f"Module interdit{at} : « {exc.name} » — une stratégie ne peut importer que des "
                "modules de calcul (pandas, pandas_ta, numpy, math, datetime…)", line)
    if isinstance(exc, ModuleNotFoundError):
        return f"Module introuvable{at} : « {exc.name} »", line
    if isinstance(exc, ImportError):
        return f"Import impossible{at} : {exc}", line
    if isinstance(exc, MemoryError):
        return f"Mémoire insuffisante{ctx}{at} : la stratégie dépasse la mémoire autorisée", line
    if isinstance(exc, PermissionError):
        return (f"Opération interdite par le bac à sable{at}{ctx} : une stratégie ne lit ni "
                "n'écrit de fichiers, ne lance pas de programme et n'ouvre pas de connexion "
                f"({type(exc).__name__}: {exc})", line)
    if isinstance(exc, RecursionError):
        return f"Récursion infinie{ctx}{at} : {exc}", line
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"Erreur{ctx}{at} : {detail}", line


def compile_user_code(code: str) -> tuple[CodeType, dict[str, int]]:
    """Compile le code utilisateur : (code objet, {nom de classe: ligne}).

    `StrategyLoadError` si la syntaxe est invalide.
    """
    try:
        tree = ast.parse(code, USER_FILENAME)
        class_lines = {node.name: node.lineno for node in ast.walk(tree)
                       if isinstance(node, ast.ClassDef)}
        return compile(tree, USER_FILENAME, "exec", dont_inherit=True), class_lines
    except SyntaxError as exc:
        kind = "d'indentation" if isinstance(exc, IndentationError) else "de syntaxe"
        at = f" ligne {exc.lineno}" if exc.lineno else ""
        raise StrategyLoadError(f"Erreur {kind}{at} : {exc.msg}", exc.lineno,
                                kind="syntax") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # octet nul, code trop imbriqué
        raise StrategyLoadError(f"Code invalide : {exc}", kind="syntax") from None


def find_strategy_class(
    namespace: dict[str, Any], class_lines: dict[str, int] | None = None
) -> type[Strategy]:
    """L'unique sous-classe de `Strategy` définie dans `namespace`.

    Une classe intermédiaire (`Base(Strategy)` puis `Ma(Base)`) est tolérée : seules les
    classes « feuilles » comptent.
    """
    found: list[type[Strategy]] = []
    for value in namespace.values():
        if (isinstance(value, type) and issubclass(value, Strategy) and value is not Strategy
                and value not in found):
            found.append(value)
    leaves = [cls for cls in found if not any(o is not cls and issubclass(o, cls) for o in found)]
    if not leaves:
        raise StrategyLoadError(
            "Aucune classe héritant de Strategy trouvée : déclarez "
            "« class MaStrategie(Strategy): … »"
        )
    if len(leaves) > 1:
        names = ", ".join(cls.__name__ for cls in leaves)
        raise StrategyLoadError(
            f"Plusieurs classes héritent de Strategy : {names} — gardez-en une seule",
            (class_lines or {}).get(leaves[1].__name__),
        )
    return leaves[0]


def load_strategy_class(code: str, *, restricted: bool = True) -> type[Strategy]:
    """Exécute `code` dans un espace de noms neuf et renvoie sa sous-classe de `Strategy`.

    `restricted=True` applique la liste blanche d'imports et retire `open`/`exec`/`eval`.
    Lève `StrategyLoadError(message, line)` (messages en français).
    """
    if not isinstance(code, str) or not code.strip():
        raise StrategyLoadError("Le code de la stratégie est vide")
    code_obj, class_lines = compile_user_code(code)
    install_pandas_ta_alias()
    namespace = new_namespace(restricted=restricted)
    try:
        exec(code_obj, namespace)  # noqa: S102 (exécution voulue, dans un enfant confiné)
    except (Exception, SystemExit) as exc:  # toute erreur du code utilisateur est rapportée
        message, line = describe_exception(exc, "au chargement")
        raise StrategyLoadError(message, line) from None
    return find_strategy_class(namespace, class_lines)
