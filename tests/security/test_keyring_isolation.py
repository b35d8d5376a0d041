"""No test reaches the developer's own keyring: the backend is pinned for the run, per test where needed."""

from __future__ import annotations

import os
import subprocess
import sys

import keyring
from keyring.backends import fail


def test_a_test_runs_as_on_a_pc_without_a_keyring() -> None:
    assert isinstance(keyring.get_keyring(), fail.Keyring)
    assert "DBUS_SESSION_BUS_ADDRESS" not in os.environ  # nor can a subprocess find the session's bus


def test_a_subprocess_inherits_the_pinned_backend() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", "import keyring; print(type(keyring.get_keyring()).__module__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "keyring.backends.fail"


def test_the_secret_service_fixture_switches_to_the_throwaway_keyring(secret_service_env: dict[str, str]) -> None:
    backend = keyring.get_keyring()
    assert type(backend).__module__ == "keyring.backends.SecretService"
    keyring.set_password("counter-app-test", "isolation", "s3cret")
    assert keyring.get_password("counter-app-test", "isolation") == "s3cret"
