#!/usr/bin/env python3
"""Superviseur des processus d'Aristobot (utilisé par `make run` et `make demo`).

Lance, depuis `backend/`, avec le Python qui l'exécute (celui du venv) :
  [daphne]     daphne -b 127.0.0.1 -p 8000 aristobot.asgi:application (API, WebSocket, SPA)
  [heartbeat]  manage.py run_heartbeat
  [engine]     manage.py run_trading_engine
  [simulator]  manage.py run_exchange_simulator (avec --demo seulement ; démarré en premier,
               et ARISTOBOT_BINANCE_REST_URL / ARISTOBOT_BINANCE_WS_URL pointent vers lui)

Chaque ligne de sortie (stdout et stderr) est préfixée par l'étiquette colorée du processus.
L'URL est affichée dès que Daphne répond.

Choix : un processus qui s'arrête est signalé en français puis REDÉMARRÉ, avec une attente
croissante (1, 2, 4 … 30 s ; remise à 1 s après 60 s de fonctionnement). Le heartbeat ne
doit jamais s'arrêter en silence, et les autres services continuent pendant ce temps.
Ctrl-C ou SIGTERM arrête tout : SIGTERM à chaque processus (et à son groupe), puis SIGKILL
après le délai de grâce (--grace, 10 s) ; le simulateur s'arrête en dernier. Un second Ctrl-C
force l'arrêt immédiat.

Bibliothèque standard uniquement (asyncio + subprocess). Code : scripts/aristobot_ops/
(supervisor_cli.py, supervision.py, processes.py).
"""

from __future__ import annotations

import sys

from aristobot_ops.supervisor_cli import main

if __name__ == "__main__":
    sys.exit(main())
