# Wegwijzer: `make run` starts the kiosk on the bundled guide, `make test` runs the whole test suite.
# Both create .venv, install the project into it and build the guide database first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
GUIDE  := assets/guide.sqlite
CONTENT_FILES := $(shell find content -type f 2>/dev/null)
BUILDER_FILES := $(shell find kiosk/content -name "*.py" 2>/dev/null)

.PHONY: run test bench guide check lint screenshots package clean

run: $(GUIDE)
	$(BIN)/wegwijzer run $(ARGS)

test: $(GUIDE)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest $(PYTEST_ARGS)

bench: $(GUIDE)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench $(ARGS)

guide: $(GUIDE)

check: $(STAMP)
	$(BIN)/wegwijzer content check

lint: $(STAMP)
	$(BIN)/ruff check kiosk tests bench
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

$(GUIDE): $(STAMP) $(CONTENT_FILES) $(BUILDER_FILES)
	$(BIN)/wegwijzer content build --output $(GUIDE)

clean:
	rm -rf $(VENV) $(GUIDE) build dist .pytest_cache
