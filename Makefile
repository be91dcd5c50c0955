# `make run`: install, index corpus/ and open the app. `make test`: install and run every test.
# `make test-fast`: the tests that load no model and start no server.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test test-fast install install-dev ingest lint bench evaluation

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# torch first and pinned: pip then keeps this CPU build instead of pulling a multi-GB CUDA one.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e .
	touch $@

# llama-cpp-python builds from source (about 4 minutes here). Built for the machine's own CPU
# (llama.cpp's default), it crashed on the first token on a machine whose CPU announces AMX:
# it is built for AVX2 instead, and never from pip's cache, which may hold a native build.
# The browser test drives Debian's Chromium: never a downloaded browser. LibreOffice renders the
# exported DOCX to an image in a test.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
$(VENV)/.installed-dev: $(VENV)/.installed
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install --quiet --no-cache-dir \
		'llama-cpp-python[server]>=0.3'
	$(PIP) install --quiet -e '.[dev,llamacpp]'
	command -v chromium >/dev/null || (apt-get update -qq && \
		apt-get install -y -qq chromium chromium-driver) || \
		echo "Chromium indisponible : le test dans le navigateur sera sauté."
	(command -v soffice && command -v pdftoppm) >/dev/null || (apt-get update -qq && \
		apt-get install -y -qq libreoffice-writer-nogui poppler-utils) || \
		echo "LibreOffice indisponible : le rendu du DOCX exporté ne sera pas vérifié."
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

ingest: install
	-$(VENV)/bin/ctg ingest corpus

# Byte-compiled first: the app's warm-up thread then imports without compiling, which on
# CPython 3.11 can race with Streamlit compiling the page being opened (gh-106905).
run: ingest
	$(PY) -m compileall -q app.py kb ingest ui
	$(VENV)/bin/streamlit run app.py --server.headless true --browser.gatherUsageStats false

# The architecture (import-linter contracts) and the types are checked before the tests.
test: install-dev
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

test-fast: install-dev
	$(PY) -m pytest -q -m "not slow"

lint: install-dev
	$(VENV)/bin/ruff check .

bench: install-dev
	$(PY) bench/retrieval.py

# Rewrites docs/evaluation.md from a fresh measurement.
evaluation: install-dev
	$(PY) -m bench.evaluation --report docs/evaluation.md
