"""Confinement d'un enfant avant qu'il n'exécute le moindre code utilisateur.

`prepare()` tourne dans le processus modèle (une fois) : il construit le jeu de règles Landlock,
compile le filtre seccomp et choisit l'uid dédié. `Confinement.apply()` tourne dans chaque enfant,
juste après le `fork()` et avant toute lecture de la requête, dans cet ordre :

1. uid et gid dédiés, sans groupes supplémentaires (seulement si le service tourne en root) ;
2. `no_new_privs` (plus aucun gain de privilège, exigé par Landlock et seccomp), processus non
   « dumpable » (ni ptrace ni /proc/<pid>/mem pour les autres processus du même uid) ;
3. limites du noyau : mémoire (RLIMIT_AS), temps CPU (RLIMIT_CPU : SIGXCPU puis SIGKILL),
   taille de fichier 0, 64 descripteurs, aucun processus (RLIMIT_NPROC), pas de core ;
4. Landlock : lecture seule de l'interpréteur et des paquets installés, rien d'autre ; ni TCP,
   ni signal hors du domaine ;
5. seccomp : refus par défaut (voir `seccomp.py`).

Une couche indisponible (noyau, plateforme, libseccomp absente) est décrite dans `report()` et
signalée à l'utilisateur ; une couche disponible qui échoue dans l'enfant est fatale (l'enfant
refuse de s'exécuter plutôt que de tourner moins confiné que prévu).
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import resource
import signal
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from apps.strategies.runtime.sandbox import landlock
from apps.strategies.runtime.sandbox import seccomp as seccomp_policy

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
#: uid/gid des enfants quand le service tourne en root (plage 65000–65533 : réservée sous Debian,
#: attribuée à aucun compte ni paquet). Réglable : ARISTOBOT_SANDBOX_UID / ARISTOBOT_SANDBOX_GID.
DEFAULT_SANDBOX_ID = 65_531
MAX_OPEN_FILES = 64
#: Fichiers système lisibles en plus de l'interpréteur (bibliothèques partagées, fuseaux horaires).
SYSTEM_READ_PATHS = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib",
                     "/usr/share/zoneinfo", "/etc/localtime")

LEVEL_FULL, LEVEL_PARTIAL, LEVEL_NONE = "complet", "partiel", "aucun"


class ConfinementError(Exception):
    """Une couche de confinement attendue n'a pas pu être appliquée dans l'enfant."""


@dataclass(frozen=True)
class Limits:
    """Limites d'une évaluation : horloge murale, temps CPU (s) et mémoire ajoutée (Mo)."""

    wall_s: float = 5.0
    cpu_s: float = 5.0
    memory_mb: int = 1024

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Limits:
        return cls(wall_s=float(data["wall_s"]), cpu_s=float(data["cpu_s"]),
                   memory_mb=int(data["memory_mb"]))


_libc: ctypes.CDLL | None = None


def libc() -> ctypes.CDLL:
    """libc du processus (chargée dans le modèle, avant tout fork)."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def prctl(option: int, value: int) -> None:
    if libc().prctl(option, ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0),
                    ctypes.c_ulong(0)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _is_within(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


def runtime_read_paths(deny: Iterable[Path], private: Iterable[Path] = ()) -> list[str]:
    """Hiérarchies lisibles par les enfants : l'interpréteur, les paquets installés, le système.

    Est écarté tout chemin qui contient un chemin de `deny` (dossier `backend/`, `.data`, `.env`)
    ou de `private` (dossier personnel), ou qui est DANS un chemin de `deny`. Un interpréteur ou un
    venv rangé dans le dossier personnel ou dans le projet reste donc lisible, pas le reste.
    """
    candidates: list[str] = []
    for scheme_vars in ({}, {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}):
        paths = sysconfig.get_paths(vars=scheme_vars)
        candidates += [paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")]
    candidates += [entry for entry in sys.path if entry]
    candidates += SYSTEM_READ_PATHS
    deny = [p.resolve() for p in deny]
    private = [p.resolve() for p in private]
    keep: list[str] = []
    for raw in candidates:
        path = Path(raw)
        if not path.is_absolute() or not path.exists():
            continue
        path = path.resolve()
        if any(_is_within(s, path) for s in (*deny, *private)):
            continue  # le chemin contient un chemin protégé
        if any(_is_within(path, s) for s in deny):
            continue  # le chemin est dans un chemin interdit
        keep.append(str(path))
    return sorted(set(keep))


@dataclass
class Confinement:
    """Ce que le modèle a préparé ; `apply()` dans l'enfant, `report()` pour l'interface."""

    ruleset: landlock.Ruleset | None = None
    seccomp: seccomp_policy.CompiledFilter | None = None
    uid: int | None = None
    gid: int | None = None
    problems: dict[str, str] = field(default_factory=dict)
    verified: bool = False

    @property
    def linux(self) -> bool:
        return sys.platform.startswith("linux")

    def apply(self, limits: Limits, *, ruleset_fd: int | None) -> None:
        """Confine le processus appelant (un enfant du modèle) ; `ConfinementError` sinon."""
        step = "uid"
        try:
            if self.uid is not None and self.gid is not None:
                os.setgroups([])
                os.setresgid(self.gid, self.gid, self.gid)
                os.setresuid(self.uid, self.uid, self.uid)
                if os.getresuid() != (self.uid,) * 3 or os.getresgid() != (self.gid,) * 3 \
                        or os.getgroups():
                    raise OSError(1, "identité inchangée")
            if self.linux:
                step = "no_new_privs"
                prctl(PR_SET_NO_NEW_PRIVS, 1)
                prctl(PR_SET_DUMPABLE, 0)
            step = "limites"
            self._limit(limits)
            os.chdir("/")
            if self.ruleset is not None:
                step = "landlock"
                if ruleset_fd is None:
                    raise OSError(9, "descripteur du jeu de règles absent")
                landlock.restrict_self(ruleset_fd)
            if self.seccomp is not None:
                step = "seccomp"
                seccomp_policy.load_filter(self.seccomp)
        except OSError as exc:
            raise ConfinementError(f"{step} : {exc.strerror or exc}") from None

    @staticmethod
    def _limit(limits: Limits) -> None:
        def cap(kind: int, value: int, hard: int | None = None) -> None:
            with contextlib.suppress(ValueError, OSError):  # limite absente de la plateforme
                resource.setrlimit(kind, (value, value if hard is None else hard))

        if limits.memory_mb > 0:
            try:
                with open("/proc/self/statm", "rb") as statm:
                    current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, ValueError, IndexError):
                current = 0
            cap(resource.RLIMIT_AS, current + limits.memory_mb * 1024 * 1024)
        if limits.cpu_s > 0:
            seconds = max(1, math.ceil(limits.cpu_s))
            cap(resource.RLIMIT_CPU, seconds, seconds + 1)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # écriture refusée (EFBIG), pas de mort
        cap(resource.RLIMIT_FSIZE, 0)
        cap(resource.RLIMIT_NOFILE, MAX_OPEN_FILES)
        cap(resource.RLIMIT_CORE, 0)
        cap(resource.RLIMIT_NPROC, 0)
        cap(resource.RLIMIT_MEMLOCK, 0)
        if hasattr(resource, "RLIMIT_MSGQUEUE"):
            cap(resource.RLIMIT_MSGQUEUE, 0)

    @property
    def level(self) -> str:
        layers = (self.seccomp is not None, self.ruleset is not None)
        if all(layers) and self.verified and not self.problems:
            return LEVEL_FULL
        return LEVEL_PARTIAL if any(layers) else LEVEL_NONE

    def report(self) -> dict[str, Any]:
        """État du confinement, en données simples (API, journaux, interface)."""
        level = self.level
        if level == LEVEL_FULL:
            message = ("Code des stratégies confiné : processus neuf par évaluation, seccomp "
                       "(ni programme, ni processus, ni réseau, ni écriture), Landlock (lecture "
                       "seule de Python et des paquets), limites de temps et de mémoire"
                       + (f", uid dédié {self.uid}" if self.uid is not None else "") + ".")
        elif level == LEVEL_PARTIAL:
            missing = "; ".join(f"{name} : {why}" for name, why in self.problems.items())
            message = ("Confinement PARTIEL du code des stratégies (" + (missing or "non vérifié")
                       + ") : n'exécutez que du code que vous avez lu.")
        else:
            missing = "; ".join(f"{name} : {why}" for name, why in self.problems.items())
            message = ("Code des stratégies NON confiné sur cette plateforme (" + missing + ") : "
                       "une stratégie peut lire vos fichiers et vos clés. N'exécutez que du code "
                       "que vous avez écrit ou lu.")
        return {
            "level": level,
            "platform": sys.platform,
            "seccomp": self.seccomp is not None,
            "seccomp_instructions": self.seccomp.instructions if self.seccomp else 0,
            "landlock_abi": self.ruleset.abi if self.ruleset else 0,
            "landlock_network": bool(self.ruleset and self.ruleset.net),
            "landlock_signals": bool(self.ruleset and self.ruleset.signals),
            "read_paths": list(self.ruleset.paths) if self.ruleset else [],
            "uid": self.uid,
            "verified": self.verified,
            "problems": dict(self.problems),
            "message": message,
        }


def _valid_id(value: int | None) -> int:
    """uid/gid dédié : jamais root (0), jamais -1 (« inchangé » pour setresuid)."""
    if value is None or not 0 < value < 2**32 - 1:
        return DEFAULT_SANDBOX_ID
    return value


def prepare(*, uid: int | None, gid: int | None, deny: Iterable[Path],
            private: Iterable[Path] = ()) -> Confinement:
    """Prépare les couches disponibles sur cette machine (dans le processus modèle)."""
    conf = Confinement()
    if not sys.platform.startswith("linux"):
        conf.problems["plateforme"] = (f"{sys.platform} : ni seccomp ni Landlock (Linux "
                                       "uniquement)")
    else:
        try:
            conf.seccomp = seccomp_policy.compile_filter()
        except (ImportError, OSError, RuntimeError) as exc:
            conf.problems["seccomp"] = f"indisponible ({exc} ; paquet libseccomp2 requis)"
        try:
            conf.ruleset = landlock.build_ruleset(runtime_read_paths(deny, private))
        except OSError as exc:
            conf.problems["landlock"] = f"indisponible ({exc.strerror or exc} ; noyau ≥ 5.13)"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        conf.uid, conf.gid = _valid_id(uid), _valid_id(gid if gid is not None else uid)
        if (uid is not None and conf.uid != uid) or (gid is not None and conf.gid != gid):
            conf.problems["uid"] = (f"uid/gid configuré invalide ({uid}/{gid}) : "
                                    f"{DEFAULT_SANDBOX_ID} utilisé")
    libc()
    return conf
