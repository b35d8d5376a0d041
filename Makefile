# counter_app: the two commands a new developer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Debian packages the tests use: PDF read-back, barcode decoding, fonts, a print queue, a PostgreSQL server,
# a virtual screen (x11-utils: xprop, xwininfo read its windows), a Secret Service for keyring tests and SANE's test
# scanner, and FUSE 3 for the power-cut drill's disk that loses unsynced writes.
DEB_PACKAGES := poppler-utils zbar-tools fonts-noto-core cups cups-client printer-driver-cups-pdf \
	postgresql-15 xvfb libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libegl1 libgl1 libxkbcommon0 \
	libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 dbus gnome-keyring sane-utils nsis x11-utils \
	chromium chromium-driver fuse3

.PHONY: run test lint unit bench deps venv screenshots clean dist

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]" --config-settings editable_mode=compat
	touch $(STAMP)

venv: $(STAMP)

deps:
	@bash scripts/install-debian-packages.sh $(DEB_PACKAGES)

run: $(STAMP)
	$(PY) -m counter_app --demo

lint: $(STAMP)
	$(VENV)/bin/ruff check counter_app tests scripts
	$(VENV)/bin/ruff format --check counter_app tests scripts
	$(VENV)/bin/mypy
	PYTHONPATH=scripts $(VENV)/bin/lint-imports

# The packaged program first (the .deb built and its smoke test run: about a minute), so that a change that
# breaks the frozen build fails here and not at release time; then the suite, whose summary closes the output.
test: deps $(STAMP) lint
	$(MAKE) --no-print-directory dist
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q -p no:cacheprovider

# The core without Qt (house style: only ui/ and app.py import PySide6): a throwaway venv in build/venv-core with
# pyproject's dependencies less PySide6 and pytest-qt (scripts/core_requirements.py) and this checkout on its path,
# where `import PySide6` must fail; then every suite but tests/ui, integration/ (PostgreSQL, the sync service) and
# installer/. tests/conftest.py leaves out the modules that import Qt or take a Qt fixture. Not part of `make test`:
# it runs most of the suite a second time (18 min on a busy 2-core machine, ~30 s more to build the venv when
# pyproject.toml changes).
CORE_VENV := build/venv-core
CORE_PY := $(CORE_VENV)/bin/python
CORE_SUITES := tests/architecture tests/unit tests/storage tests/printing tests/cli tests/reports tests/attachments \
	tests/admin tests/backup tests/security
# the self-test's last step opens the window (Qt); every other step of it runs in the suites above
CORE_DESELECT := tests/backup/test_self_test.py::test_self_test_passes_offscreen_and_leaves_nothing_behind
.PHONY: test-core
$(CORE_VENV)/.installed: pyproject.toml scripts/core_requirements.py
	rm -rf $(CORE_VENV)
	python3 -m venv $(CORE_VENV)
	python3 scripts/core_requirements.py > $(CORE_VENV)/requirements.txt
	$(CORE_PY) -m pip install -q -r $(CORE_VENV)/requirements.txt
	echo "$(CURDIR)" > "$$($(CORE_PY) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/counter_app_checkout.pth"
	touch $@

test-core: $(CORE_VENV)/.installed
	@! $(CORE_PY) -c "import PySide6" 2>/dev/null || { echo "PySide6 is importable in $(CORE_VENV)"; exit 1; }
	cd "$(CURDIR)" && $(CORE_PY) -m pytest -q -p no:cacheprovider --deselect $(CORE_DESELECT) $(wildcard $(CORE_SUITES))

# Sizes: BENCH_DOSSIERS (default 1000000), BENCH_STARTUP_DOSSIERS (200000), BENCH_SYNC_DOSSIERS (10000).
bench: deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m scripts.bench

screenshots: deps $(STAMP)
	$(PY) scripts/screenshots.py

# The one-folder program (PyInstaller), its .deb in dist/, then the .deb unpacked and its --self-test run.
# PyInstaller is installed here only: `make test` does not need it. Windows: see installer/README.md.
dist: $(STAMP)
	$(PY) -m pip install -q "pyinstaller>=6.10,<7"
	rm -rf build/pyinstaller dist/counter-app dist/counter-app_*.deb
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
		installer/counter_app.spec
	bash installer/linux/build_deb.sh dist/counter-app "$$($(PY) -c 'import counter_app; print(counter_app.__version__)')" dist
	bash installer/linux/smoke_test.sh dist/counter-app_*.deb

clean:
	rm -rf $(VENV) build dist *.egg-info

# Mutation testing of the domain over tests/unit (slow: minutes; not part of `make test`). Writes the figures to
# docs/test-strength.md. mutmut is installed here only. One module: make mutation MUTATION_MODULES=calendar
# The sync's push and pull, over chosen integration tests and one PostgreSQL cluster (deps: postgresql-15; about
# an hour on a busy two-core machine): make mutation MUTATION_MODULES="sync/push sync/pull"
.PHONY: mutation
mutation: $(STAMP)
	$(PY) -m pip install -q "mutmut==3.8.1"
	$(PY) scripts/mutation.py $(if $(MUTATION_MODULES),--modules $(MUTATION_MODULES))
