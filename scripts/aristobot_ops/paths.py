"""Chemins du dépôt, indépendants du dossier courant."""

from __future__ import annotations

from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parents[2]
BACKEND_DIR = ROOT_DIR / "backend"
DATA_DIR = ROOT_DIR / ".data"
DOTENV_FILE = ROOT_DIR / ".env"
