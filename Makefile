# The two commands of the quick start: `make run` and `make test`.
# The Python of .python-version when installed, else any python3 (3.11 or later).
PYTHON ?= $(shell command -v python$$(cat .python-version) || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint bench lock clean

# Exactly the locked versions (hashes checked), then the project itself on top of them.
$(BIN)/notifier: pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(BIN)/notifier

# Starts the bot on SQLite with the example rules and the console receiver. Development mode:
# without TWILIO_AUTH_TOKEN it accepts unsigned requests from this machine only.
run: $(BIN)/notifier
	@echo
	@echo "  The bot listens on http://127.0.0.1:$(PORT). In another terminal, send it a sample:"
	@echo "      $(BIN)/notifier simulate debugger --url http://127.0.0.1:$(PORT)"
	@echo "  and watch the alert appear below. Ctrl-C stops it."
	@echo
	ALLOW_UNSIGNED_LOOPBACK=1 PORT=$(PORT) $(BIN)/notifier serve --host 127.0.0.1

test: $(BIN)/notifier
	$(BIN)/ruff check notifier tests bench tools
	$(BIN)/mypy
	$(BIN)/pytest -q

bench: $(BIN)/notifier
	$(BIN)/python -m bench.ingest

# Re-resolve the lock files after editing pyproject.toml's dependencies (needs the package index).
lock: $(BIN)/notifier
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version $$(cat .python-version) \
	  --no-header --quiet -o requirements.txt
	$(BIN)/uv pip compile pyproject.toml --extra test --generate-hashes --universal \
	  --python-version $$(cat .python-version) --no-header --quiet -o requirements-dev.txt

clean:
	rm -rf $(VENV) notifier.db notifier.db-wal notifier.db-shm
