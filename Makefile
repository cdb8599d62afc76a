# The two set-up commands from the README:
#   make run   installs everything (system packages too) and starts the kiosk
#   make test  installs everything and runs the whole test suite
# and for development (README, "Development"):
#   make test-fast  the tests that need no window and no speech engine, for the edit-run loop
#   make soak       the long soak: 20,000 random actions on the real app
VENV := .venv
STAMP := $(VENV)/.installed
TEST_WORKERS ?= 2
# pytest-xdist workers for make test, each with its own virtual screen and window. Measured on
# 2 cores: 2 workers about 7.5 min on a clean clone, 3 workers faster but then real-time GUI tests
# miss their deadlines.

.PHONY: setup run test test-fast lint bench bench-people soak screenshots check

$(STAMP): pyproject.toml scripts/bootstrap.sh
	bash scripts/bootstrap.sh
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(VENV)/bin/kiosk run

test: setup
	$(VENV)/bin/ruff check kiosk tests bench main.py
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

test-fast: setup
	$(VENV)/bin/pytest -m "not gui and not engine" -q

check: setup
	$(VENV)/bin/kiosk check

bench: setup
	$(VENV)/bin/python bench/startup.py
	$(VENV)/bin/python bench/speech.py
	$(VENV)/bin/python bench/voice.py
	$(VENV)/bin/python bench/follow.py

# Voice commands on recordings of real people (about 20 minutes; the recordings are not in the
# repository: bench/voice_real.py says where it looks and takes --data). Not part of make test.
bench-people: setup
	$(VENV)/bin/python bench/voice_real.py

soak: setup
	$(VENV)/bin/python bench/soak.py

screenshots: setup
	$(VENV)/bin/python scripts/screenshots.py
