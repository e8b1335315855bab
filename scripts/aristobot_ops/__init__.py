"""Outillage local d'Aristobot : services (PostgreSQL, Redis) et superviseur des processus.

Points d'entrée : `scripts/services.py` et `scripts/supervisor.py`, lancés avec `python3
scripts/…` depuis n'importe quel dossier (le dossier `scripts/` est alors dans sys.path).
Bibliothèque standard uniquement ; psycopg et redis (ceux du venv) ne sont importés qu'au moment
de sonder PostgreSQL ou Redis.
"""
