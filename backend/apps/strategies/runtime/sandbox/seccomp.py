"""Filtre seccomp-BPF des enfants qui exécutent le code des stratégies : refus par défaut.

Politique (à la manière de nsjail et du bac à sable de Chromium) : tout appel système absent de
la liste ci-dessous échoue avec EPERM — le code Python reçoit une `PermissionError`, traduite en
français. Sont donc refusés, entre autres : `execve`/`execveat` (lancer un programme), `fork`,
`vfork`, `clone`/`clone3` (nouveau processus ou thread), `socket`/`socketpair`/`connect` (toute
famille, sockets Unix compris), `ptrace`, `process_vm_*`, `kill`/`tgkill`/`pidfd_send_signal`
(signaux), `unshare`/`setns`/`mount`, `bpf`, `io_uring_*`, `keyctl`, `prctl`, `setuid`…
Quelques appels autorisés le sont sous condition sur leurs arguments :
- `open`/`openat` : lecture seule (ni O_WRONLY, ni O_RDWR, ni O_CREAT, ni O_TRUNC, ni O_TMPFILE) ;
  `openat2` (arguments dans une structure, illisibles par BPF) répond ENOSYS ;
- `fcntl` : F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD(_CLOEXEC) seulement (pas de F_SETOWN /
  F_SETSIG / F_NOTIFY, qui font envoyer des signaux à d'autres processus) ;
- `ioctl` : TCGETS, FIONREAD, FIOCLEX, FIONCLEX, FIONBIO seulement ;
- `prlimit64` : lecture seule (nouvelle limite NULL) et pour soi-même (pid 0) ;
- `getsid`, `getpgid`, `sched_getaffinity` : pour soi-même seulement (pid 0 : pas d'inventaire
  des processus de la machine) ;
- `futex` : futex privés seulement (FUTEX_PRIVATE_FLAG) : pas de réveil entre processus par une
  page partagée.
libseccomp (via `pyseccomp`, ctypes) compile la liste pour l'architecture du processus et ajoute
le contrôle d'architecture (un appel d'une autre ABI, x32 par exemple, tue le processus).
Le programme BPF est produit une fois dans le processus modèle ; chaque enfant le charge par
un seul `prctl(PR_SET_SECCOMP)`.
"""

from __future__ import annotations

import ctypes
import errno
import os
import tempfile
from dataclasses import dataclass

#: Appels autorisés sans condition (les noms absents de l'architecture sont ignorés).
ALLOWED = (
    # E/S sur les descripteurs déjà ouverts (tubes vers le parent, /dev/null, fichiers lus)
    "read", "readv", "pread64", "preadv", "preadv2", "write", "writev", "close", "close_range",
    "lseek", "_llseek", "dup", "dup2", "dup3", "pipe", "pipe2", "poll", "ppoll", "select",
    "pselect6", "_newselect",
    # métadonnées de fichiers (Landlock décide de ce qui est lisible)
    "fstat", "fstat64", "stat", "stat64", "lstat", "lstat64", "newfstatat", "fstatat64", "statx",
    "access", "faccessat", "faccessat2", "readlink", "readlinkat", "getdents", "getdents64",
    "getcwd", "fadvise64", "fadvise64_64",
    # mémoire
    "brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise",
    # temps, attente, threads déjà existants
    "clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64", "clock_nanosleep",
    "clock_nanosleep_time64", "nanosleep", "gettimeofday", "time", "set_robust_list", "rseq",
    "sched_yield", "getcpu", "restart_syscall",
    # signaux vers soi-même uniquement (minuteries, masque, gestionnaires)
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigreturn", "sigaltstack", "rt_sigpending",
    "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "setitimer", "getitimer", "alarm",
    # identité et ressources (lecture)
    "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
    "getresgid", "getgroups", "getpgrp", "getrlimit", "ugetrlimit", "getrusage", "times", "uname",
    "sysinfo", "getrandom",
    # fin du processus
    "exit", "exit_group",
)

O_WRONLY, O_RDWR, O_CREAT, O_TRUNC = 0o1, 0o2, 0o100, 0o1000
O_TMPFILE_FLAG = 0o20000000  # __O_TMPFILE (O_TMPFILE = __O_TMPFILE | O_DIRECTORY)
WRITE_FLAGS = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_TMPFILE_FLAG
FUTEX_PRIVATE_FLAG = 128
F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC = 0, 1, 2, 3, 4, 1030
ALLOWED_FCNTL = (F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC)
TCGETS, FIONREAD, FIONBIO, FIONCLEX, FIOCLEX = 0x5401, 0x541B, 0x5421, 0x5450, 0x5451
ALLOWED_IOCTL = (TCGETS, FIONREAD, FIONBIO, FIONCLEX, FIOCLEX)

PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2


@dataclass(frozen=True)
class CompiledFilter:
    """Programme BPF prêt à charger (suite d'instructions de 8 octets)."""

    program: bytes
    allowed: int  # nombre d'appels système autorisés (sans ou avec condition)

    @property
    def instructions(self) -> int:
        return len(self.program) // 8


def compile_filter() -> CompiledFilter:
    """Construit la politique avec libseccomp et l'exporte en BPF (ImportError/OSError sinon)."""
    import pyseccomp as sc

    flt = sc.SyscallFilter(sc.ERRNO(errno.EPERM))
    allowed = 0

    def add(action: int, name: str, *args: object) -> None:
        nonlocal allowed
        try:
            sc.resolve_syscall(sc.system_arch(), name)
            flt.add_rule(action, name, *args)
        except (OSError, ValueError, RuntimeError):
            return  # appel absent de cette architecture
        allowed += action == sc.ALLOW

    for name in ALLOWED:
        add(sc.ALLOW, name)
    add(sc.ALLOW, "open", sc.Arg(1, sc.MASKED_EQ, WRITE_FLAGS, 0))
    add(sc.ALLOW, "openat", sc.Arg(2, sc.MASKED_EQ, WRITE_FLAGS, 0))
    add(sc.ERRNO(errno.ENOSYS), "openat2")
    add(sc.ERRNO(errno.ENOSYS), "clone3")  # la libc se rabat alors sur clone, refusé
    for command in ALLOWED_FCNTL:
        add(sc.ALLOW, "fcntl", sc.Arg(1, sc.EQ, command))
        add(sc.ALLOW, "fcntl64", sc.Arg(1, sc.EQ, command))
    for request in ALLOWED_IOCTL:
        add(sc.ALLOW, "ioctl", sc.Arg(1, sc.EQ, request))
    add(sc.ALLOW, "prlimit64", sc.Arg(0, sc.EQ, 0), sc.Arg(2, sc.EQ, 0))
    for name in ("getsid", "getpgid", "sched_getaffinity"):
        add(sc.ALLOW, name, sc.Arg(0, sc.EQ, 0))
    for name in ("futex", "futex_time64"):
        add(sc.ALLOW, name, sc.Arg(1, sc.MASKED_EQ, FUTEX_PRIVATE_FLAG, FUTEX_PRIVATE_FLAG))
    with tempfile.TemporaryFile() as out:
        flt.export_bpf(out)
        out.seek(0)
        program = out.read()
    if not program or len(program) % 8:
        raise OSError(errno.EINVAL, "programme seccomp vide ou tronqué")
    return CompiledFilter(program=program, allowed=allowed)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def load_filter(compiled: CompiledFilter) -> None:
    """Charge le programme dans le processus appelant (exige `no_new_privs`) ; OSError sinon."""
    buffer = ctypes.create_string_buffer(compiled.program, len(compiled.program))
    prog = _SockFprog(compiled.instructions, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
