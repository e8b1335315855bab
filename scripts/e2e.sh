#!/usr/bin/env bash
# Tests de bout en bout d'Aristobot (appelé par `make test-e2e` et `make test`).
#
# 1. Chromium de Debian (/usr/bin/chromium) : installé par apt-get s'il manque (jamais téléchargé
#    par l'outil de test).
# 2. PostgreSQL/Redis via scripts/services.py ; base dédiée `aristobot_e2e` supprimée/recréée ;
#    préfixe de channel layer dédié (aucune interférence avec un `make run` en cours).
# 3. migrate + init_aristobot (mots de passe connus, voir E2E_PASSWORD / E2E_DEV_PASSWORD).
# 4. SPA construite si frontend/dist manque ou si ses sources sont plus récentes.
# 5. Simulateur d'exchange (temps accéléré ×60, E2E_SIM_SPEED), heartbeat, trading engine et
#    Daphne sur des ports libres (Daphne : 8079 de préférence), DEBUG_ARISTOBOT=False, URLs Binance
#    vers le simulateur.
# 6. `npm run test:e2e` avec E2E_BASE_URL, E2E_USER=dac, E2E_PASSWORD ; tout est arrêté à la
#    sortie (trap) et le code de sortie est celui des tests. E2E_TESTS="e2e/x.test.mjs …" ne lance
#    que ces fichiers ; E2E_DB (base) et les ports libres permettent deux copies du dépôt côte à côte.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
PY="$ROOT_DIR/.venv/bin/python"
LOG_DIR="$ROOT_DIR/.data/e2e"
E2E_DB="${E2E_DB:-aristobot_e2e}"
E2E_PASSWORD="${E2E_PASSWORD:-E2e-Passe-Dac-2026}"
E2E_DEV_PASSWORD="${E2E_DEV_PASSWORD:-E2e-Passe-Dev-2026}"

say() { printf '[e2e] %s\n' "$*"; }
fail() { printf '[e2e] ERREUR : %s\n' "$*" >&2; exit 1; }

[ -x "$PY" ] || fail "venv absent : lancez d'abord « make install »."

if [ ! -d frontend/e2e ] || [ -z "$(find frontend/e2e -name '*.js' -o -name '*.mjs' | head -n 1)" ]; then
  say "aucun test dans frontend/e2e : rien à lancer."
  exit 0
fi

# --- Chromium de Debian ---------------------------------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
  command -v apt-get >/dev/null || fail "/usr/bin/chromium absent et apt-get indisponible : installez Chromium."
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  say "installation de Chromium (paquet Debian chromium)…"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
say "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium présent')"

# --- Services, base dédiée, utilisateurs ----------------------------------------------------------
"$PY" scripts/services.py ensure >/dev/null
# shellcheck source=/dev/null
source .data/services.env
DATABASE_URL="$("$PY" scripts/services.py recreate-db "$E2E_DB")"
export DATABASE_URL
export DEBUG=False DEBUG_ARISTOBOT=False ALLOWED_HOSTS=127.0.0.1,localhost
export CHANNEL_LAYER_PREFIX="${E2E_CHANNEL_PREFIX:-aristobot-e2e-$$}"
export ARISTOBOT_DAC_PASSWORD="$E2E_PASSWORD" ARISTOBOT_DEV_PASSWORD="$E2E_DEV_PASSWORD"
export PYTHONUNBUFFERED=1

(cd backend && "$PY" manage.py migrate --noinput >/dev/null) || fail "migrate a échoué"
(cd backend && "$PY" manage.py init_aristobot >/dev/null) || fail "init_aristobot a échoué"
say "base « $E2E_DB » migrée, utilisateurs dev et dac créés"

# SPA (re)construite si elle manque ou si une source est plus récente que le dernier build.
if [ ! -f frontend/dist/index.html ] \
  || [ -n "$(find frontend/src frontend/index.html frontend/package.json -newer frontend/dist/index.html -print -quit 2>/dev/null)" ]; then
  say "construction de la SPA…"
  (cd frontend && npm run build)
fi

# --- Processus -------------------------------------------------------------------------------------
free_port() {
  "$PY" - "$1" <<'PY'
import socket
import sys

preferred = int(sys.argv[1])
for port in (preferred, 0):
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(sock.getsockname()[1])
        break
PY
}

DAPHNE_PORT="$(free_port "${E2E_PORT:-8079}")"
SIM_PORT="$(free_port "${E2E_SIM_PORT:-8779}")"
export ARISTOBOT_BINANCE_REST_URL="http://127.0.0.1:$SIM_PORT"
export ARISTOBOT_BINANCE_WS_URL="ws://127.0.0.1:$SIM_PORT"
# Telegram : aucun faux serveur dans la pile e2e ; un port libre où rien n'écoute (« Tester » doit
# afficher une erreur française propre, et aucun message ne part vers le vrai Telegram).
export ARISTOBOT_TELEGRAM_API_URL="${E2E_TELEGRAM_URL:-http://127.0.0.1:$(free_port 8879)}"
BASE_URL="http://127.0.0.1:$DAPHNE_PORT"

rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"
declare -A PIDS=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for name in "${!PIDS[@]}"; do kill -TERM "${PIDS[$name]}" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    local alive=0
    for name in "${!PIDS[@]}"; do kill -0 "${PIDS[$name]}" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.2
  done
  for name in "${!PIDS[@]}"; do kill -KILL "${PIDS[$name]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then
    for name in "${!PIDS[@]}"; do
      printf '\n[e2e] --- fin du journal %s (%s) ---\n' "$name" "$LOG_DIR/$name.log"
      tail -n 30 "$LOG_DIR/$name.log" || true
    done
  fi
  say "processus arrêtés (journaux : ${LOG_DIR#"$ROOT_DIR"/})"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

COMMANDS="$(cd backend && "$PY" manage.py help --commands)"
start() {  # start NOM commande… : lance en arrière-plan depuis backend/, journal dans .data/e2e/
  local name="$1"
  shift
  (cd backend && exec "$@") >"$LOG_DIR/$name.log" 2>&1 &
  PIDS[$name]=$!
}
start_command() {  # start_command NOM commande_django args… (ignorée si elle n'existe pas encore)
  local name="$1" command="$2"
  if grep -qx "$command" <<<"$COMMANDS"; then
    start "$name" "$PY" manage.py "${@:2}"
  else
    say "ATTENTION : commande « $command » absente, $name non lancé"
  fi
}

# Temps simulé accéléré (×60 : une minute par seconde) : bougies closes et signaux en quelques
# secondes pour les tests de la page Heartbeat. E2E_SIM_SPEED=1 pour le temps réel.
start_command simulator run_exchange_simulator --host 127.0.0.1 --port "$SIM_PORT" --speed "${E2E_SIM_SPEED:-60}"
start_command heartbeat run_heartbeat
start_command engine run_trading_engine
start daphne "$PY" -m daphne -b 127.0.0.1 -p "$DAPHNE_PORT" aristobot.asgi:application

say "attente de Daphne sur $BASE_URL…"
for attempt in $(seq 1 120); do
  if "$PY" -c "import sys, urllib.request as u, urllib.error as e
try:
    u.urlopen(sys.argv[1] + '/api/auth/me/', timeout=2)
except e.HTTPError:
    pass
except OSError:
    sys.exit(1)" "$BASE_URL" 2>/dev/null; then
    break
  fi
  kill -0 "${PIDS[daphne]}" 2>/dev/null || fail "Daphne s'est arrêté au démarrage"
  [ "$attempt" -lt 120 ] || fail "Daphne ne répond pas après 60 s"
  sleep 0.5
done
say "Daphne répond sur $BASE_URL"
[ -z "${PIDS[simulator]:-}" ] || say "simulateur sur le port $SIM_PORT"

# --- Tests -------------------------------------------------------------------------------------------
rc=0
# E2E_TESTS="e2e/phone.test.mjs e2e/account.test.mjs" : ne lance que ces fichiers (défaut : tous).
if [ -n "${E2E_TESTS:-}" ]; then
  # shellcheck disable=SC2086
  (cd frontend && E2E_BASE_URL="$BASE_URL" E2E_USER=dac E2E_PASSWORD="$E2E_PASSWORD" node --test $E2E_TESTS) || rc=$?
else
  (cd frontend && E2E_BASE_URL="$BASE_URL" E2E_USER=dac E2E_PASSWORD="$E2E_PASSWORD" npm run test:e2e) || rc=$?
fi
if [ "$rc" -eq 0 ]; then say "tests e2e réussis"; else say "tests e2e en échec (code $rc)"; fi
exit "$rc"
