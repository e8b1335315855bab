# Aristobot V3 : commandes de développement (GNU make). `make help` affiche la liste.
#
#   make run    installe, construit, vérifie PostgreSQL/Redis, migre, puis lance daphne +
#               heartbeat + trading engine sous le superviseur → http://127.0.0.1:8000
#   make test   ruff + pytest (vrais PostgreSQL/Redis) + vitest + e2e (Chromium de Debian)
#
# Les commandes Django reçoivent DATABASE_URL / REDIS_URL (et une SECRET_KEY locale si aucune
# n'est configurée) depuis .data/services.env, écrit par `scripts/services.py ensure`.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
ARISTOBOT_PORT ?= 8000
ARISTOBOT_SIM_PORT ?= 8765

VENV := .venv
PY := $(CURDIR)/$(VENV)/bin/python
SERVICES_ENV := .data/services.env
VENV_STAMP := $(VENV)/.aristobot-install.stamp
NPM_STAMP := frontend/node_modules/.aristobot-install.stamp
DIST_INDEX := frontend/dist/index.html
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	$(wildcard frontend/index.html frontend/vite.config.* frontend/package.json)
LINT_PATHS := backend scripts $(wildcard bench)

LOAD_ENV := source $(SERVICES_ENV)
MANAGE := cd backend && $(PY) manage.py
step = @printf '\n==> %s\n' "$(1)"

.PHONY: help install build services services-stop migrate init run demo lint \
	test test-backend test-frontend test-e2e clean distclean

help: ## Affiche cette aide
	@echo "Aristobot V3 : commandes make"
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'
	@echo
	@echo "Variables : PYTHON=$(PYTHON) ARISTOBOT_PORT=$(ARISTOBOT_PORT) ARISTOBOT_SIM_PORT=$(ARISTOBOT_SIM_PORT)"

# --- Installation (sautée si les fichiers de dépendances n'ont pas changé) ----------------------

install: $(VENV_STAMP) $(NPM_STAMP) ## Installe les dépendances Python (.venv) et npm si elles ont changé
	@echo "Dépendances à jour (.venv, frontend/node_modules)."

$(PY):
	$(call step,Création du venv $(VENV))
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 ou plus est requis : make PYTHON=python3.11 …")'
	$(PYTHON) -m venv $(VENV)

$(VENV_STAMP): $(PY) backend/requirements.txt backend/requirements-dev.txt
	$(call step,Dépendances Python : backend/requirements-dev.txt (quelques minutes la première fois))
	$(PY) -m pip install --disable-pip-version-check -q -r backend/requirements-dev.txt
	@touch $@

$(NPM_STAMP): frontend/package.json frontend/package-lock.json
	$(call step,Dépendances npm : npm ci)
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

build: $(DIST_INDEX) ## Construit la SPA (frontend/dist) si ses sources ont changé
	@echo "SPA à jour (frontend/dist)."

$(DIST_INDEX): $(NPM_STAMP) $(FRONTEND_SOURCES)
	$(call step,Construction de la SPA : npm run build)
	cd frontend && npm run build
	@touch $@

# --- Services et base ----------------------------------------------------------------------------

services: $(VENV_STAMP) ## PostgreSQL + Redis : ceux configurés, sinon Docker, sinon embarqués (.data/)
	$(call step,Services : PostgreSQL et Redis)
	@$(PY) scripts/services.py ensure >/dev/null

services-stop: ## Arrête les serveurs embarqués (ou Docker) démarrés par make services
	@$(PY) scripts/services.py stop

migrate: services ## Applique les migrations Django
	$(call step,Migrations)
	@$(LOAD_ENV) && $(MANAGE) migrate --noinput

init: migrate ## Crée les utilisateurs dev et dac s'ils manquent (init_aristobot)
	$(call step,Utilisateurs : init_aristobot)
	@$(LOAD_ENV) && $(MANAGE) init_aristobot

# --- Lancement -----------------------------------------------------------------------------------

run: install build init ## Lance daphne + heartbeat + trading engine (Ctrl-C arrête tout)
	$(call step,Lancement : http://127.0.0.1:$(ARISTOBOT_PORT) (Ctrl-C pour tout arrêter))
	@$(LOAD_ENV) && exec $(PY) scripts/supervisor.py --port $(ARISTOBOT_PORT)

demo: install build init ## Comme run, avec le simulateur d'exchange et le broker de démo de dev
	$(call step,Démo : simulateur sur le port $(ARISTOBOT_SIM_PORT))
	@$(LOAD_ENV) \
		&& export ARISTOBOT_BINANCE_REST_URL=http://127.0.0.1:$(ARISTOBOT_SIM_PORT) \
		&& export ARISTOBOT_BINANCE_WS_URL=ws://127.0.0.1:$(ARISTOBOT_SIM_PORT) \
		&& if ($(MANAGE) help --commands) | grep -x demo_setup >/dev/null; then \
			($(MANAGE) demo_setup); \
		else echo "demo_setup n'existe pas encore : étape ignorée"; fi \
		&& exec $(PY) scripts/supervisor.py --demo --port $(ARISTOBOT_PORT) \
			--sim-port $(ARISTOBOT_SIM_PORT)

# --- Qualité et tests ----------------------------------------------------------------------------

lint: $(VENV_STAMP) $(NPM_STAMP) ## ruff, contrats d'import, tailles (modules, fonctions) et ESLint
	$(call step,Lint : ruff check $(LINT_PATHS))
	$(PY) -m ruff check $(LINT_PATHS)
	$(call step,Lint : contrats d'import entre les apps (backend/.importlinter))
	cd backend && $(CURDIR)/$(VENV)/bin/lint-imports
	$(call step,Lint : tailles (modules ≤ 400 lignes, fonctions ≤ 60 lignes))
	$(PY) scripts/check_sizes.py
	$(call step,Lint : ESLint (frontend, aucun avertissement toléré))
	cd frontend && npm run lint

test: install services ## Tous les tests (lint, pytest, vitest, e2e) ; échoue si l'un échoue
	@failed=(); \
	for suite in lint test-backend test-frontend test-e2e; do \
		$(MAKE) $$suite || failed+=("$$suite"); \
	done; \
	if [ $${#failed[@]} -ne 0 ]; then \
		printf '\n==> ÉCHEC : %s\n' "$${failed[*]}"; exit 1; \
	fi; \
	printf '\n==> Tous les tests sont passés.\n'

test-backend: $(VENV_STAMP) services ## Tests backend : pytest contre les vrais PostgreSQL et Redis
	$(call step,Tests backend : pytest)
	@$(LOAD_ENV) && cd backend && rc=0 && { $(PY) -m pytest -q || rc=$$?; } \
		&& if [ $$rc -eq 5 ]; then echo "ATTENTION : aucun test pytest collecté"; \
		else exit $$rc; fi

test-frontend: $(NPM_STAMP) ## Tests frontend : vitest
	$(call step,Tests frontend : vitest)
	cd frontend && npm test -- --passWithNoTests

test-e2e: $(VENV_STAMP) build ## Tests de bout en bout : Daphne + simulateur + Chromium (scripts/e2e.sh)
	$(call step,Tests de bout en bout : scripts/e2e.sh)
	bash scripts/e2e.sh

# --- Nettoyage -----------------------------------------------------------------------------------

clean: ## Supprime la SPA construite et les caches (garde .venv, node_modules et .data)
	rm -rf frontend/dist .pytest_cache .ruff_cache backend/.pytest_cache
	find backend scripts -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean ## clean + supprime .venv et node_modules (jamais .data : vos bases)
	rm -rf $(VENV) frontend/node_modules
