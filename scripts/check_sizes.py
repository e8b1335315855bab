#!/usr/bin/env python3
"""Vérifie la taille du code Python : aucun module de plus de 400 lignes, aucune fonction de plus de 60.

Usage : python3 scripts/check_sizes.py [--max-module-lines 400] [--max-function-lines 60]

Parcourt `backend/` (sans `migrations/`, `tests/`, `node_modules/`, `.venv/`), `scripts/` et
`bench/`. Une fonction (ou méthode, async comprise) se compte de sa ligne `def` à la fin de son
corps, décorateurs exclus ; une fonction imbriquée est comptée à part (et dans sa parente).
Code de sortie : 0 si tout est dans les limites, 1 sinon (la liste des fautifs est affichée).
Bibliothèque standard uniquement (ast).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parent.parent
CHECKED_DIRS = ("backend", "scripts", "bench")
EXCLUDED_DIRS = frozenset({"migrations", "tests", "node_modules", ".venv", "__pycache__"})
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


@dataclass(frozen=True)
class Offence:
    """Un dépassement : où, quoi, combien de lignes."""

    path: Path
    line: int
    what: str
    lines: int
    limit: int

    def __str__(self) -> str:
        return f"  {self.path}:{self.line} : {self.what} fait {self.lines} lignes (max {self.limit})"


def python_files(root: Path) -> Iterator[Path]:
    """Les modules Python des dossiers vérifiés, hors dossiers exclus, dans l'ordre."""
    for name in CHECKED_DIRS:
        folder = root / name
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            if not EXCLUDED_DIRS.intersection(path.relative_to(folder).parts[:-1]):
                yield path


def functions(tree: ast.AST) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """(nom qualifié, nœud) de chaque fonction ou méthode, imbriquées comprises."""

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield f"{prefix}{child.name}", child
                yield from walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    return walk(tree, "")


def check_file(path: Path, shown: Path, max_module: int, max_function: int) -> list[Offence]:
    """Les dépassements d'un module (`shown` : chemin affiché)."""
    source = path.read_text(encoding="utf-8")
    offences = []
    module_lines = len(source.splitlines())
    if module_lines > max_module:
        offences.append(Offence(shown, 1, "le module", module_lines, max_module))
    for name, node in functions(ast.parse(source, filename=str(path))):
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        if length > max_function:
            offences.append(Offence(shown, node.lineno, f"la fonction {name}()", length, max_function))
    return offences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Taille des modules et des fonctions Python.")
    parser.add_argument("--max-module-lines", type=int, default=MAX_MODULE_LINES)
    parser.add_argument("--max-function-lines", type=int, default=MAX_FUNCTION_LINES)
    args = parser.parse_args(argv)
    offences: list[Offence] = []
    count = 0
    for path in python_files(ROOT_DIR):
        count += 1
        shown = path.relative_to(ROOT_DIR)
        offences += check_file(path, shown, args.max_module_lines, args.max_function_lines)
    if offences:
        print(
            f"Tailles : {len(offences)} dépassement(s) dans {count} modules "
            f"(modules ≤ {args.max_module_lines} lignes, fonctions ≤ {args.max_function_lines} lignes) :",
            file=sys.stderr,
        )
        for offence in offences:
            print(offence, file=sys.stderr)
        return 1
    print(
        f"Tailles : {count} modules vérifiés, aucun module de plus de {args.max_module_lines} lignes "
        f"ni fonction de plus de {args.max_function_lines} lignes."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
