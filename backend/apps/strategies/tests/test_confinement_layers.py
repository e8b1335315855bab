"""Confinement des enfants du bac à sable : identité dédiée et échec fermé.

Un enfant tourne sous l'uid dédié, sans privilège ; une couche de confinement qui échoue dans
l'enfant l'empêche de tourner (jamais « moins confiné que prévu ») ; un uid configuré invalide
ne veut jamais dire root. Les évasions elles-mêmes : `test_containment.py`.
"""

from __future__ import annotations

import os

import pytest


@pytest.mark.skipif(os.geteuid() != 0, reason="uid dédié : seulement quand le service tourne en root")
def test_children_run_under_the_dedicated_uid_without_privileges(sandbox_pool) -> None:  # noqa: ANN001
    from apps.strategies.runtime.sandbox.confine import DEFAULT_SANDBOX_ID

    code = ("import pandas as pd\nos = pd.io.common.os\nclass S(Strategy):\n"
            "    def should_long(self):\n"
            "        print(os.getresuid(), os.getresgid(), os.getgroups())\n        return True\n")
    decision = sandbox_pool.run_sync(code, None, 1000.0, calls=("should_long",))
    assert decision.ok, decision.error
    ids = (DEFAULT_SANDBOX_ID,) * 3
    assert decision.logs.strip() == f"{ids} {ids} []"


def _apply_in_fork(confinement) -> str:  # noqa: ANN001
    """Applique `confinement` dans un processus enfant jetable ; « ok » ou le message d'erreur."""
    from apps.strategies.runtime.sandbox.confine import ConfinementError, Limits

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # enfant : aucun verrou, aucun journal, sortie immédiate
        try:
            confinement.apply(Limits(wall_s=5, cpu_s=5, memory_mb=256), ruleset_fd=9_999)
            os.write(write, b"ok")
        except ConfinementError as exc:
            os.write(write, str(exc).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as stream:
        return stream.read().decode()


@pytest.mark.skipif(os.uname().sysname != "Linux", reason="Landlock : Linux uniquement")
def test_a_layer_that_fails_in_the_child_refuses_to_run() -> None:
    """Échec fermé : un jeu de règles Landlock inutilisable arrête l'enfant au lieu de le laisser
    tourner moins confiné que prévu."""
    from apps.strategies.runtime.sandbox.confine import Confinement
    from apps.strategies.runtime.sandbox.landlock import Ruleset

    broken = Confinement(ruleset=Ruleset(fd=9_999, abi=7, paths=(), net=True, signals=True))
    assert _apply_in_fork(broken).startswith("landlock : ")


def test_an_invalid_configured_uid_never_means_root(monkeypatch: pytest.MonkeyPatch) -> None:
    from apps.strategies.runtime.sandbox import confine

    monkeypatch.setattr(confine.os, "geteuid", lambda: 0)
    for bad in (0, 2**32 - 1, -1):
        conf = confine.prepare(uid=bad, gid=bad, deny=[])
        assert conf.uid == conf.gid == confine.DEFAULT_SANDBOX_ID
        assert "uid" in conf.problems and conf.level != confine.LEVEL_FULL
        if conf.ruleset is not None:
            conf.ruleset.close()
