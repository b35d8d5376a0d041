"""Owner-only file modes in tests: the usual umask while a test runs, and a path's mode bits."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The usual 022: whatever is private is so because the application made it so, not the test's umask.

    Autouse in every test module that imports it."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    """The permission bits of `path` itself (a link is not followed)."""
    return stat.S_IMODE(path.lstat().st_mode)
