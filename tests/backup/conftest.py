"""Fixtures of the backup tests: an initialised counter per test, copied from one made per module."""

from __future__ import annotations

from pathlib import Path

import pytest
from backup.backup_support import Counter, copy_installation


@pytest.fixture(scope="module")
def template_counter(tmp_path_factory: pytest.TempPathFactory) -> Counter:
    counter = Counter(tmp_path_factory.mktemp("template"))
    counter.init()
    return counter


@pytest.fixture
def counter(template_counter: Counter, tmp_path: Path) -> Counter:
    """Counter 1 of the test agency, set up, with no dossier and no backup; no keyring unless a test adds one."""
    fresh = Counter(tmp_path / "desk")
    copy_installation(template_counter, fresh)
    return fresh
