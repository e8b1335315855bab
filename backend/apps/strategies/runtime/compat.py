"""Compatibilité : `import pandas_ta` (code de la spec) pointe sur `pandas_ta_classic`.

La spec écrit `import pandas_ta as ta` alors que la librairie installée s'appelle
`pandas_ta_classic`. Un « finder » d'import paresseux redirige `pandas_ta` et ses sous-modules
vers `pandas_ta_classic` : rien n'est importé tant que le code utilisateur ne le demande pas.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from types import ModuleType

ALIAS = "pandas_ta"
TARGET = "pandas_ta_classic"


class _PandasTaAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Redirige `pandas_ta[.x]` vers `pandas_ta_classic[.x]` (même objet module)."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != ALIAS and not fullname.startswith(ALIAS + "."):
            return None
        if importlib.util.find_spec(TARGET) is None:
            return None  # pandas_ta_classic absent : ModuleNotFoundError normal
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # module factice, remplacé dans exec_module

    def exec_module(self, module: ModuleType) -> None:
        real = importlib.import_module(TARGET + module.__name__[len(ALIAS):])
        # L'import system renvoie ce qui est dans sys.modules après exec_module.
        sys.modules[module.__name__] = real


def install_pandas_ta_alias() -> None:
    """Installe l'alias (idempotent, sans coût : l'import réel se fait à la demande)."""
    if not any(isinstance(finder, _PandasTaAlias) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PandasTaAlias())
