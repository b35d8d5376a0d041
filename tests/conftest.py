"""Fixtures shared by the whole suite; real servers are started by tests/support, once per session."""

from __future__ import annotations

import os

# Before anything imports Qt: tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Before anything imports keyring: no test reaches the developer's own login keyring. By default a test runs as
# on a ward PC without one (keyring's own "no keyring" backend, also in every subprocess); the tests of the
# Secret Service path take a throwaway gnome-keyring on a private bus (`secret_service_env`).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from collections.abc import Iterator
from typing import Any

import pytest
from support.cups import CupsQueue, reset_cups_client, running_cups_queue
from support.pg_cluster import PgCluster, running_pg_cluster
from support.secret_service import SecretService, running_secret_service


def pytest_configure(config: pytest.Config) -> None:
    """Nor can a test or its subprocesses find the developer's session bus (and its keyring) by this variable."""
    os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)


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
