"""Les scripts de `bench/` suivent le code : ils se chargent (`--help`) et chaque `module.nom` qu'ils
utilisent existe (un déplacement de code les avait cassés sans qu'aucun test ne le voie)."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[4] / "bench"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_bench_script_imports_and_answers_help(script: str) -> None:
    result = subprocess.run(  # noqa: S603 - nos propres scripts
        [sys.executable, str(BENCH / script), "--help"], capture_output=True, text=True,
        timeout=120, env={**os.environ}, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage" in result.stdout


def _module_aliases(tree: ast.Module) -> dict[str, str]:
    """Nom local → module importé, pour `import a.b as x` et `from a import b` (b module)."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name.startswith(("apps.", "exchange_simulator")):
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
            ("apps", "exchange_simulator")
        ):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                try:
                    importlib.import_module(candidate)
                except ImportError:
                    continue
                aliases[alias.asname or alias.name] = candidate
    return aliases


@pytest.mark.parametrize("script", SCRIPTS)
def test_bench_script_uses_only_existing_module_attributes(script: str) -> None:
    tree = ast.parse((BENCH / script).read_text(encoding="utf-8"))
    aliases = _module_aliases(tree)
    missing = sorted({
        f"{aliases[node.value.id]}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
        and node.value.id in aliases
        and not hasattr(importlib.import_module(aliases[node.value.id]), node.attr)
    })
    assert not missing, f"{script} utilise des noms disparus : {missing}"
