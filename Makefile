# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint bench clean

$(BIN)/notifier: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
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
	$(BIN)/ruff check notifier tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q

bench: $(BIN)/notifier
	$(BIN)/python -m bench.ingest

clean:
	rm -rf $(VENV) notifier.db notifier.db-wal notifier.db-shm
