"""Landlock (LSM du noyau Linux ≥ 5.13) par appels système directs, sans dépendance.

Landlock restreint un processus non privilégié et ses descendants : une fois `restrict_self()`
appelé, le noyau refuse tout accès au système de fichiers hors des hiérarchies autorisées (ici :
lecture seule de l'interpréteur Python et des paquets installés), toute connexion TCP (ABI ≥ 4) et
l'envoi de signaux hors du domaine (ABI ≥ 6). Irréversible pour le processus.

Le jeu de règles est construit une fois dans le processus modèle (`build_ruleset`), qui a le droit
d'ouvrir ces chemins ; chaque enfant l'applique par un seul appel (`restrict_self`).
Les numéros d'appels système 444–446 sont communs à toutes les architectures (x86_64, arm64…).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass

SYS_CREATE_RULESET = 444
SYS_ADD_RULE = 445
SYS_RESTRICT_SELF = 446
CREATE_RULESET_VERSION = 1 << 0
RULE_PATH_BENEATH = 1

# Droits sur le système de fichiers, par ABI d'apparition.
FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

_FS_BY_ABI = {1: (1 << 13) - 1, 2: FS_REFER, 3: FS_TRUNCATE, 5: FS_IOCTL_DEV}
READ_ONLY_FILE = FS_READ_FILE
READ_ONLY_DIR = FS_READ_FILE | FS_READ_DIR


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc: ctypes.CDLL | None = None


def _syscall(number: int, *args: object) -> int:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
    result = _libc.syscall(number, *args)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return int(result)


def abi_version() -> int:
    """Version de l'ABI Landlock du noyau ; 0 si Landlock est absent ou désactivé."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        return _syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                        ctypes.c_uint32(CREATE_RULESET_VERSION))
    except OSError:
        return 0


def handled_fs(abi: int) -> int:
    """Tous les droits de fichiers que le noyau sait restreindre à cette ABI."""
    return sum(bits for version, bits in _FS_BY_ABI.items() if abi >= version)


@dataclass
class Ruleset:
    """Jeu de règles prêt à appliquer (descripteur hérité par les enfants)."""

    fd: int
    abi: int
    paths: tuple[str, ...]  # hiérarchies lisibles
    net: bool  # connexions et écoutes TCP interdites
    signals: bool  # signaux hors du domaine interdits

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


def build_ruleset(read_paths: Iterable[str]) -> Ruleset:
    """Jeu de règles « lecture seule de `read_paths`, rien d'autre » (OSError si indisponible).

    Les chemins absents sont ignorés ; un fichier (et non un dossier) n'autorise que sa lecture.
    """
    abi = abi_version()
    if abi < 1:
        raise OSError(95, "Landlock indisponible sur ce noyau")
    attr = _RulesetAttr(handled_fs(abi), NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    fd = _syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    added: list[str] = []
    try:
        for path in dict.fromkeys(read_paths):
            try:
                target = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                is_dir = os.path.isdir(path)
                rule = _PathBeneathAttr(READ_ONLY_DIR if is_dir else READ_ONLY_FILE, target)
                _syscall(SYS_ADD_RULE, ctypes.c_int(fd), ctypes.c_int(RULE_PATH_BENEATH),
                         ctypes.byref(rule), ctypes.c_uint32(0))
                added.append(path)
            finally:
                os.close(target)
    except BaseException:
        os.close(fd)
        raise
    return Ruleset(fd=fd, abi=abi, paths=tuple(added), net=abi >= 4, signals=abi >= 6)


def restrict_self(ruleset_fd: int) -> None:
    """Applique le jeu de règles au processus appelant (exige `no_new_privs`) ; OSError sinon."""
    _syscall(SYS_RESTRICT_SELF, ctypes.c_int(ruleset_fd), ctypes.c_uint32(0))
