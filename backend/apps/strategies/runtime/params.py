"""Paramètres d'une stratégie : ses attributs de classe numériques (convention de backtesting.py).

    class MaStrategie(Strategy):
        fast = 10        # paramètre « fast », entier, 10 par défaut
        slow = 20
        risque = 0.1     # réel

        def __init__(self, candles, balance, position=None):
            ...
            self.candles["ema_fast"] = ta.ema(self.candles["close"], length=self.fast)

Détection **statique** (arbre syntaxique, rien n'est exécuté) : dans la classe qui hérite de
`Strategy`, chaque affectation simple `nom = <nombre>` (ou `nom: int = <nombre>`) au niveau de la
classe, hors noms commençant par « _ » et hors booléens. Ce module n'importe ni Django ni pandas.
"""

from __future__ import annotations

import ast
import math
from typing import Any

#: Au-delà, la liste est tronquée (une stratégie n'a pas des centaines de paramètres utiles).
MAX_PARAMETERS = 50
#: Valeur absolue maximale d'un paramètre (au-delà : pas un réglage, et illisible en JSON/JS).
MAX_ABS_VALUE = 1e15


def _number(node: ast.expr) -> int | float | None:
    """La valeur d'un littéral numérique (signe compris), sinon None."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = sign * node.value
        if math.isfinite(value) and abs(value) <= MAX_ABS_VALUE:
            return value
    return None


def _strategy_class(tree: ast.Module) -> ast.ClassDef | None:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
            (isinstance(base, ast.Name) and base.id == "Strategy")
            or (isinstance(base, ast.Attribute) and base.attr == "Strategy")
            for base in node.bases
        ):
            return node
    return None


def _assignment(node: ast.stmt) -> tuple[str, ast.expr] | None:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return node.target.id, node.value
    return None


def strategy_parameters(code: str) -> list[dict[str, Any]]:
    """`[{"name", "default", "type": "int" | "float", "line"}]` dans l'ordre du code ; [] si le code
    ne compile pas ou n'a pas de classe `Strategy`."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    cls = _strategy_class(tree)
    if cls is None:
        return []
    found: dict[str, dict[str, Any]] = {}
    for node in cls.body:
        assignment = _assignment(node)
        if assignment is None:
            continue
        name, value_node = assignment
        value = _number(value_node)
        if name.startswith("_") or value is None:
            found.pop(name, None)  # réaffecté à autre chose qu'un nombre : plus un paramètre
            continue
        found[name] = {"name": name, "default": value, "type": type(value).__name__,
                       "line": node.lineno}
    return list(found.values())[:MAX_PARAMETERS]
