"""Fixtures shared by the whole suite; real servers are started by tests/support, once per session."""

from __future__ import annotations

import os

# Before anything imports Qt: tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Before anything imports keyring: no test reaches the developer's own login keyring. By default a test runs as
# on a ward PC without one (keyring's own "no keyring" backend, also in every subprocess); the tests of the
# Secret Service path take a throwaway gnome-keyring on a private bus (`secret_service_env`).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

import ast
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.cups import CupsQueue, reset_cups_client, running_cups_queue
from support.pg_cluster import PgCluster, running_pg_cluster
from support.secret_service import SecretService, running_secret_service


def pytest_configure(config: pytest.Config) -> None:
    """Nor can a test or its subprocesses find the developer's session bus (and its keyring) by this variable."""
    os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)


QT_MISSING = importlib.util.find_spec("PySide6") is None
"""True in `make test-core`'s venv, which has no Qt: the core's tests must run there all the same."""
QT_MODULES = ("PySide6", "pytestqt", "counter_app.ui", "counter_app.app")
QT_FIXTURES = {"qtbot", "qapp"}


def _needs_qt(source: str) -> bool:
    """Whether a test module imports Qt, the ui package or the Qt application, or asks for a Qt fixture."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.arg):
            if node.arg in QT_FIXTURES:
                return True
            continue
        else:
            continue
        if any(name == qt or name.startswith(f"{qt}.") for name in names for qt in QT_MODULES):
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Without PySide6, the tests of the Qt layer are not collected: tests/ui, and elsewhere the modules that
    import Qt or the ui package or take a Qt fixture. Any other test that fails there found a core that needs Qt."""
    if not QT_MISSING:
        return None
    if collection_path.is_dir():
        return collection_path.name == "ui" or None
    if collection_path.suffix == ".py" and collection_path.name.startswith("test_"):
        return _needs_qt(collection_path.read_text(encoding="utf-8")) or None
    return None


@pytest.fixture(autouse=True)
def ui_thread_gc(request: pytest.FixtureRequest) -> Iterator[Any]:
    """As in the application: while a Qt test runs, cycles are collected on the UI thread only (gc_guard).

    Yields the UiThreadCollector for a test that uses Qt, else None.
    """
    if not {"qapp", "qtbot"} & set(request.fixturenames):
        yield None
        return
    from counter_app.ui.qt.gc_guard import collect_garbage_on_ui_thread
    from counter_app.ui.qt.vietnamese import install_vietnamese

    qapp = request.getfixturevalue("qapp")
    install_vietnamese(qapp)  # as app.py does: windows built by tests speak Vietnamese too
    collector = collect_garbage_on_ui_thread(qapp)
    yield collector
    collector.stop()
    collector.deleteLater()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A PostgreSQL 15 cluster on 127.0.0.1 (password logins), removed at the end of the session."""
    with running_pg_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def cups_queue() -> Iterator[CupsQueue]:
    """A private cupsd with a CUPS-PDF queue; `.name` to print to, `.output_dir` where the PDFs land."""
    with running_cups_queue() as queue:
        yield queue


@pytest.fixture
def cups_env(cups_queue: CupsQueue) -> Iterator[CupsQueue]:
    """CUPS_SERVER set for this test, so that QPrinter and libcups in this process see the test queue."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in cups_queue.env.items():
            patch.setenv(name, value)
        reset_cups_client()
        yield cups_queue
    reset_cups_client()  # back to the machine's server once the variable is gone


@pytest.fixture(scope="session")
def secret_service() -> Iterator[SecretService]:
    """gnome-keyring's Secret Service on a private bus, login collection unlocked; `.env` for clients."""
    with running_secret_service() as service:
        yield service


@pytest.fixture
def secret_service_env(secret_service: SecretService) -> Iterator[dict[str, str]]:
    """The Secret Service's variables set for this test; `keyring` in this process uses it."""
    import keyring.core

    with pytest.MonkeyPatch.context() as patch:
        for name, value in secret_service.env.items():
            patch.setenv(name, value)
        keyring.core.init_backend()  # keyring picks its backend once per process
        yield secret_service.env
    keyring.core.init_backend()
