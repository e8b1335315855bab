"""Confinement du code des stratégies : chaque évasion connue, par les trois chemins réels.

Une stratégie hostile tente, au chargement (donc dans la validation, un backtest et une
évaluation du moteur), de : lire un fichier 0600 de `.data/`, le dossier personnel, le code du
projet et l'environnement du parent ; écrire des fichiers (y compris par pandas) ; lancer un
programme ; créer un processus ; joindre le socket Unix de PostgreSQL, un socket Unix et un port
TCP ouverts par le test ; signaler son parent et un autre processus ; empoisonner `Strategy` et le
runtime pour la stratégie suivante ; retrouver en mémoire le code d'un autre utilisateur.
Chaque effet est vérifié de l'extérieur (fichiers, connexions acceptées, processus), pas sur la
parole de la stratégie ; une stratégie « jamais d'achat » évaluée ensuite ne doit pas acheter ;
pendant ce temps l'API répond en moins d'une seconde.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from apps.core.tests.exchange_fixtures import (  # noqa: F401
    exchange_cleanup,
    make_broker,
    sim,
    threaded_sim,
)
from apps.strategies.runtime.sandbox.client import BACKEND_DIR, PROJECT_DIR
from apps.trading_engine.tests.engine_support import make_active  # noqa: F401

PG_SOCKET = "/var/run/postgresql/.s.PGSQL.5432"
VICTIM_CODE = '''# {marker}
class JamaisAchat(Strategy):
    def should_long(self):
        return False

    def calculate_position_size(self):
        return 10.0
'''

ATTACK_CODE = r'''
report = []

def attempt(name, action):
    try:
        result = action()
    except BaseException as exc:
        report.append(f"{name}=refusé:{type(exc).__name__}")
    else:
        report.append(f"{name}=RÉUSSI:{str(result)[:60]!r}")

def nonzero(code):
    if code != 0:
        raise OSError(f"code {code}")
    return code

def found_in_memory(marker):
    for obj in sys.modules["gc"].get_objects():
        if isinstance(obj, dict):
            for value in list(obj.values()):
                if isinstance(value, str) and marker in value:
                    return True
    raise LookupError("absent")

# `os` sans import : évasion classique par les sous-classes d'object.
wrap = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "_wrap_close"][0]
os = wrap.__init__.__globals__["sys"].modules["os"]
sys = os.sys
posix = __builtins__["__loader__"].load_module("posix")
socket = sys.modules["socket"]
pandas = sys.modules["pandas"]
ctypes = sys.modules["ctypes"]

attempt("lecture_data", lambda: os.read(os.open(@SECRET@, os.O_RDONLY), 200))
attempt("lecture_data_posix", lambda: posix.read(posix.open(@SECRET@, posix.O_RDONLY), 200))
attempt("lecture_data_pandas", lambda: pandas.read_csv(@SECRET@))
attempt("lecture_home", lambda: os.read(os.open(@HOME_FILE@, os.O_RDONLY), 200))
attempt("lecture_code", lambda: os.read(os.open(@SETTINGS@, os.O_RDONLY), 200))
attempt("liste_projet", lambda: os.listdir(@PROJECT@))
attempt("environ_parent", lambda: os.read(os.open(f"/proc/{os.getppid()}/environ", os.O_RDONLY), 200))
attempt("ecriture_tmp", lambda: os.open(@WRITE_TMP@, os.O_WRONLY | os.O_CREAT, 0o644))
attempt("ecriture_backend", lambda: os.open(@WRITE_BACKEND@, os.O_WRONLY | os.O_CREAT, 0o644))
attempt("ecriture_pandas", lambda: pandas.DataFrame({"a": [1]}).to_csv(@WRITE_PANDAS@))
attempt("programme_system", lambda: nonzero(os.system("touch " + @EXEC_MARK@)))
attempt("programme_spawn", lambda: os.posix_spawn("/bin/touch", ["touch", @EXEC_MARK@], {}))
attempt("programme_execv", lambda: os.execv("/bin/touch", ["touch", @EXEC_MARK@]))
attempt("processus_fork", lambda: os.fork())
attempt("reseau_unix_postgresql", lambda: socket.socket(socket.AF_UNIX).connect(@PG_SOCKET@))
attempt("reseau_unix", lambda: socket.socket(socket.AF_UNIX).connect(@UNIX_SOCKET@))
attempt("reseau_tcp", lambda: socket.create_connection(("127.0.0.1", @TCP_PORT@), timeout=1))
attempt("reseau_tcp_postgresql", lambda: socket.create_connection(("127.0.0.1", 5432), timeout=1))
attempt("signal_parent", lambda: os.kill(os.getppid(), 19))
attempt("signal_victime", lambda: os.kill(@VICTIM_PID@, 9))
attempt("signal_ctypes", lambda: nonzero(ctypes.CDLL(None).kill(@VICTIM_PID@, 9)))
attempt("code_autre_utilisateur", lambda: found_in_memory("VICTIME" + "-" + @MARK_SUFFIX@))
# Empoisonnement de la classe de base et du runtime, pour la stratégie suivante.
Strategy.should_long = lambda self: True
Strategy.__init_subclass__ = classmethod(lambda cls, **kw: setattr(cls, "should_long", lambda s: True))
decide = sys.modules.get("apps.strategies.runtime.decide")
if decide is not None:
    decide.check_result = lambda method, value: (True, None)
raise RuntimeError("RAPPORT " + " ".join(report))
'''


@dataclass
class Arena:
    """Tout ce que l'attaque vise, et de quoi vérifier de l'extérieur qu'elle a échoué."""

    token: str
    secret: Path
    home_file: Path
    marks: list[Path]
    victim: subprocess.Popen[bytes]
    tcp: socket.socket
    unix: socket.socket
    unix_path: Path
    marker: str
    accepted: list[str] = field(default_factory=list)

    @property
    def attack(self) -> str:
        values = {
            "SECRET": str(self.secret), "HOME_FILE": str(self.home_file),
            "SETTINGS": str(BACKEND_DIR / "aristobot" / "settings.py"), "PROJECT": str(PROJECT_DIR),
            "WRITE_TMP": str(self.marks[0]), "WRITE_BACKEND": str(self.marks[1]),
            "WRITE_PANDAS": str(self.marks[2]), "EXEC_MARK": str(self.marks[3]),
            "PG_SOCKET": PG_SOCKET, "UNIX_SOCKET": str(self.unix_path),
            "TCP_PORT": self.tcp.getsockname()[1], "VICTIM_PID": self.victim.pid,
            "MARK_SUFFIX": self.marker.split("-", 1)[1],
        }
        code = ATTACK_CODE
        for name, value in values.items():
            code = code.replace(f"@{name}@", repr(value))
        return code

    @property
    def victim_code(self) -> str:
        return VICTIM_CODE.format(marker=self.marker)

    def check_report(self, text: str) -> None:
        """Le rapport de la stratégie : chaque tentative a échoué (et le secret n'y est pas)."""
        assert self.token not in text
        match = re.search(r"RAPPORT (.*?)(?:$|\s\(ligne)", text)
        assert match, text
        entries = dict(item.split("=", 1) for item in match.group(1).split())
        expected = {"lecture_data", "lecture_data_posix", "lecture_data_pandas", "lecture_home",
                    "lecture_code", "liste_projet", "environ_parent", "ecriture_tmp",
                    "ecriture_backend", "ecriture_pandas", "programme_system", "programme_spawn",
                    "programme_execv", "processus_fork", "reseau_unix_postgresql", "reseau_unix",
                    "reseau_tcp", "reseau_tcp_postgresql", "signal_parent", "signal_victime",
                    "signal_ctypes", "code_autre_utilisateur"}
        assert set(entries) == expected, text
        succeeded = {name: outcome for name, outcome in entries.items()
                     if not outcome.startswith("refusé")}
        assert not succeeded, succeeded

    def check_world(self, *, zygote_pid: int | None) -> None:
        """Les effets, vus de l'extérieur : rien d'écrit, rien d'accepté, personne de tué."""
        for mark in self.marks:
            assert not mark.exists(), f"{mark} a été créé"
        assert self.accepted == [], self.accepted
        assert self.victim.poll() is None, "le processus victime a été tué"
        if zygote_pid is not None:
            state = Path(f"/proc/{zygote_pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            assert state not in ("T", "t", "Z"), f"processus modèle dans l'état {state}"
            assert _children_of(zygote_pid) == [], "un enfant a survécu à son évaluation"
        deadline = time.monotonic() + 5
        while _sandbox_uid_processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _sandbox_uid_processes() == [], "un processus de l'uid du bac à sable a survécu"


def _children_of(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def _sandbox_uid_processes() -> list[int]:
    if os.geteuid() != 0:
        return []
    from apps.strategies.runtime.sandbox.confine import DEFAULT_SANDBOX_ID

    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == DEFAULT_SANDBOX_ID:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _wait_no_children(pid: int | None, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while pid is not None and _children_of(pid) and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.fixture
def arena(tmp_path: Path) -> Iterator[Arena]:
    token = f"JETON-SECRET-{uuid.uuid4().hex}"
    data_dir = PROJECT_DIR / ".data"
    data_dir.mkdir(exist_ok=True)
    secret = data_dir / f"test-bac-a-sable-{uuid.uuid4().hex[:8]}"
    secret.write_text(f"cle,valeur\n{token},1\n")
    secret.chmod(0o600)
    home_file = Path.home() / f".aristobot-test-bac-a-sable-{uuid.uuid4().hex[:8]}"
    home_file.write_text(token)
    home_file.chmod(0o644)
    suffix = uuid.uuid4().hex[:8]
    marks = [Path(f"/tmp/aristobot-evasion-{suffix}"), BACKEND_DIR / f"evasion-{suffix}",  # noqa: S108
             Path(f"/tmp/aristobot-evasion-pandas-{suffix}"),  # noqa: S108
             Path(f"/tmp/aristobot-evasion-exec-{suffix}")]  # noqa: S108
    victim = subprocess.Popen(["sleep", "300"])  # noqa: S607 (processus témoin)
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    unix_path = Path(f"/tmp/aristobot-test-{suffix}.sock")  # noqa: S108
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(str(unix_path))
    unix_path.chmod(0o777)
    unix.listen(8)
    arena = Arena(token=token, secret=secret, home_file=home_file, marks=marks, victim=victim,
                  tcp=tcp, unix=unix, unix_path=unix_path, marker=f"VICTIME-{suffix}")

    def accept(server: socket.socket, name: str) -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            arena.accepted.append(name)
            conn.close()

    for server, name in ((tcp, "tcp"), (unix, "unix")):
        threading.Thread(target=accept, args=(server, name), daemon=True).start()
    try:
        yield arena
    finally:
        for server in (tcp, unix):
            try:
                server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            server.close()
        victim.kill()
        victim.wait()
        for path in (secret, home_file, unix_path, *marks):
            path.unlink(missing_ok=True)


class Responsiveness:
    """Un client qui interroge l'API toutes les 50 ms dans un thread ; latence maximale."""

    def __init__(self, client) -> None:  # noqa: ANN001
        self.client = client
        self.latencies: list[float] = []
        self.failures: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from django.db import connection

        try:
            while not self._stop.is_set():
                started = time.monotonic()
                response = self.client.get("/api/strategies/template/")
                self.latencies.append(time.monotonic() - started)
                if response.status_code != 200:
                    self.failures.append(response.status_code)
                self._stop.wait(0.05)
        finally:
            connection.close()

    def __enter__(self) -> Responsiveness:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)
        assert not self.failures, self.failures
        assert self.latencies and max(self.latencies) < 1.0, self.latencies


# --- validation --------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_escapes_fail_through_the_validation_endpoint(arena: Arena, logged_client,
                                                      sandbox_pool) -> None:  # noqa: ANN001
    client, watcher, looper = logged_client(), logged_client(), logged_client()
    loop_code = "class Boucle(Strategy):\n    def should_long(self):\n        while True:\n            pass\n"

    def loop_validation() -> None:  # une autre validation occupe le bac à sable pendant l'attaque
        from django.db import connection

        looper.post("/api/strategies/validate/", {"code": loop_code}, format="json")
        connection.close()

    with Responsiveness(watcher):
        busy = threading.Thread(target=loop_validation)
        busy.start()
        victim = client.post("/api/strategies/validate/", {"code": arena.victim_code}, format="json")
        assert victim.status_code == 200 and victim.json()["results"]["should_long"] is False
        attack = client.post("/api/strategies/validate/", {"code": arena.attack}, format="json")
        assert attack.status_code == 200, attack.content
        body = attack.json()
        assert body["ok"] is False and body["kind"] == "load"
        arena.check_report(body["error"])
        again = client.post("/api/strategies/validate/", {"code": arena.victim_code}, format="json")
        busy.join(10)
    assert again.json()["ok"] is True
    assert again.json()["results"]["should_long"] is False  # ni Strategy ni le runtime empoisonnés
    assert arena.token not in attack.content.decode()
    _wait_no_children(sandbox_pool.sandbox.zygote_pid)
    arena.check_world(zygote_pid=sandbox_pool.sandbox.zygote_pid)


# --- backtest ----------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_escapes_fail_through_a_backtest(arena: Arena, threaded_sim, logged_client,  # noqa: ANN001, F811
                                         make_broker) -> None:  # noqa: F811
    from apps.backtest.tests.support import make_strategy, payload, wait_for
    from apps.backtest.worker_process import backtest_sandbox

    client, watcher = logged_client(), logged_client()
    broker = make_broker(user=client.user)
    attack = make_strategy(client.user, code=arena.attack, name="Attaque")
    victim = make_strategy(client.user, code=arena.victim_code, name="Victime")
    with Responsiveness(watcher):
        created = client.post("/api/backtests/", payload(attack, broker), format="json")
        assert created.status_code == 201, created.content
        row = wait_for(created.json()["id"])
        assert row.status == "error"
        arena.check_report(row.error_message)
        followed = client.post("/api/backtests/", payload(victim, broker), format="json").json()
        after = wait_for(followed["id"])
    assert after.status == "done", after.error_message
    assert after.total_trades == 0  # la stratégie « jamais d'achat » n'a pas été empoisonnée
    detail = client.get(f"/api/backtests/{created.json()['id']}/").content.decode()
    assert arena.token not in detail
    zygote = backtest_sandbox().zygote_pid
    _wait_no_children(zygote)
    arena.check_world(zygote_pid=zygote)


# --- moteur ------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
async def test_escapes_fail_through_an_engine_evaluation(arena: Arena, sim, make_active,  # noqa: ANN001, F811
                                                         make_broker, strategy_pool,  # noqa: F811
                                                         logged_client) -> None:  # noqa: ANN001
    from asgiref.sync import sync_to_async

    from apps.trading.models import Trade
    from apps.trading_engine.models import ActiveStrategy
    from apps.trading_engine.tests.engine_support import running_engine, signal

    watcher = await sync_to_async(logged_client)()
    attacker = await sync_to_async(make_broker)()
    target = await sync_to_async(make_broker)()  # un autre utilisateur
    bad = await sync_to_async(make_active)(arena.attack, broker=attacker, timeframe="1m")
    good = await sync_to_async(make_active)(arena.victim_code, broker=target, timeframe="1m")
    assert bad.user_id != good.user_id
    with Responsiveness(watcher):
        async with running_engine(strategy_pool) as engine:
            first = await engine.runner.handle_signal(signal("1m", open_time=60_000 * 10))
            second = await engine.runner.handle_signal(signal("1m", open_time=60_000 * 11))
    for outcomes in (first, second):
        by_id = {o.active_strategy_id: o for o in outcomes}
        arena.check_report(by_id[bad.pk].error)
        assert by_id[good.pk].action == "none" and not by_id[good.pk].error
    assert not await Trade.objects.filter(active_strategy_id=good.pk).aexists()
    stored = await ActiveStrategy.objects.aget(pk=bad.pk)
    arena.check_report(stored.last_error)
    _wait_no_children(strategy_pool.sandbox.zygote_pid)
    arena.check_world(zygote_pid=strategy_pool.sandbox.zygote_pid)
