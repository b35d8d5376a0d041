"""Fixtures of the security tests: a staffed counter (admin, supervisor, clerk) over a temporary database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from security.security_support import StepClock, open_counter, staff

from counter_app.bootstrap import Services


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def counter(tmp_path: Path, clock: StepClock) -> Iterator[Services]:
    """Counter 1 with three accounts (quantri: admin, lanhdao: supervisor, canbo: clerk); nobody signed in."""
    services = open_counter(tmp_path / "counter" / "c.db", clock)
    staff(services)
    yield services
    services.close()
