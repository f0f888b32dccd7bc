# The documented commands. Each one works from a fresh clone with only Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint format install migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	DEMO_PORT=$(PORT) $(BIN)/python manage.py load_demo

## run: install, migrate, load the demo, then serve the site and the task worker (one Ctrl-C stops both)
run: demo
	@echo ""
	@echo "  Le Village de l'ESS tourne sur  http://localhost:$(PORT)/"
	@echo "  Administration (organisateurs) : http://localhost:$(PORT)/admin/"
	@echo "  Compte de démonstration        : organisatrice / village-demo"
	@echo "  Espace structure (stands)      : structure / village-demo, sur /compte/login/"
	@echo "  Bénévole                       : benevole / village-demo, sur /compte/login/"
	@echo "  Second territoire              : http://sambre-avesnois.localhost:$(PORT)/ (organisateur-sambre / village-demo)"
	@echo "  Courriels envoyés              : var/mail/"
	@echo "  Ctrl-C arrête le site et le worker."
	@echo ""
	PORT=$(PORT) $(BIN)/honcho -f Procfile.dev start

## test: install and run the whole suite (SQLite, or PostgreSQL when DATABASE_URL says so)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## bench: performance benchmarks; figures go to docs/benchmarks.md
bench: install
	$(BIN)/python -m bench

## lint: ruff, template indentation, migrations in sync
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates
	DJANGO_SETTINGS_MODULE=village.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates

clean:
	rm -rf var $(VENV)
