# The two set-up commands from the README:
#   make run   installs everything (system packages too) and starts the kiosk
#   make test  installs everything and runs the whole test suite
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench soak screenshots check

$(STAMP): pyproject.toml scripts/bootstrap.sh
	bash scripts/bootstrap.sh
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(VENV)/bin/kiosk run

test: setup
	$(VENV)/bin/ruff check kiosk tests bench main.py
	$(VENV)/bin/pytest

check: setup
	$(VENV)/bin/kiosk check

bench: setup
	$(VENV)/bin/python bench/startup.py
	$(VENV)/bin/python bench/speech.py
	$(VENV)/bin/python bench/voice.py

soak: setup
	$(VENV)/bin/python bench/soak.py

screenshots: setup
	$(VENV)/bin/python scripts/screenshots.py
