"""Signing in: Argon2id hashes, and failures that slow down further attempts, checked before any hashing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Literal

import pytest
from argon2 import PasswordHasher
from security.security_support import StepClock, open_counter

from counter_app.bootstrap import Services
from counter_app.domain.roles import Role
from counter_app.errors import PermissionDenied
from counter_app.services.accounts.clerk_accounts import LoginThrottled

PASSWORD = "mat-khau-quan-tri"
WRONG = "doan-mo-mat-khau"


class CountingHasher(PasswordHasher):
    """A real Argon2id hasher (cheap parameters) that counts its verifications."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verifications = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verifications += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def desk(tmp_path: Path, clock: StepClock, hasher: CountingHasher) -> Iterator[Services]:
    services = open_counter(tmp_path / "c.db", clock, hasher)
    services.accounts.add_user("quantri", "admin", PASSWORD)
    yield services
    services.close()


def test_the_stored_hash_is_argon2id_not_the_password(desk: Services) -> None:
    with desk.context.uow() as uow:
        row = uow.users.get("quantri")
        assert row is not None
        stored = row.password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_failures_slow_down_and_attempts_during_the_delay_are_not_hashed(
    desk: Services, clock: StepClock, hasher: CountingHasher
) -> None:
    accounts = desk.accounts
    with pytest.raises(PermissionDenied, match="không đúng"):
        accounts.authenticate("quantri", WRONG)
    assert hasher.verifications == 1

    # 1st failure: 1 s of delay (2^0). Even the right password is refused at once, without hashing.
    clock.advance(0.5)
    with pytest.raises(LoginThrottled, match="1 giây") as refused:
        accounts.authenticate("quantri", PASSWORD)
    assert refused.value.exit_code == 2
    assert hasher.verifications == 1

    clock.advance(0.5)
    with pytest.raises(PermissionDenied):
        accounts.authenticate("quantri", WRONG)
    assert hasher.verifications == 2

    # 2nd failure: 2 s (2^1); one second later there is one second left
    clock.advance(1)
    with pytest.raises(LoginThrottled, match="1 giây"):
        accounts.authenticate("quantri", WRONG)
    assert hasher.verifications == 2

    clock.advance(1)
    with pytest.raises(PermissionDenied):
        accounts.authenticate("quantri", WRONG)
    assert hasher.verifications == 3

    # 3rd failure: 4 s (2^2)
    clock.advance(3.5)
    with pytest.raises(LoginThrottled):
        accounts.authenticate("quantri", PASSWORD)
    assert hasher.verifications == 3

    # once the delay has passed, the legitimate user signs in
    clock.advance(0.5)
    session = accounts.authenticate("quantri", PASSWORD)
    assert (session.name, session.role) == ("quantri", Role.ADMIN)
    assert hasher.verifications == 4

    # a success forgives the failures: the next mistake costs one second again, not eight
    with pytest.raises(PermissionDenied):
        accounts.authenticate("quantri", WRONG)
    clock.advance(1)
    assert accounts.authenticate("quantri", PASSWORD).name == "quantri"


def test_the_delay_stops_growing_at_five_minutes(desk: Services, clock: StepClock, hasher: CountingHasher) -> None:
    accounts = desk.accounts
    for failures in range(12):
        clock.advance(min(2**failures, 300))  # the delay after `failures` failures (1, 2, 4 ... capped at 300)
        with pytest.raises(PermissionDenied) as error:
            accounts.authenticate("quantri", WRONG)
        assert not isinstance(error.value, LoginThrottled)
    assert hasher.verifications == 12
    # 2^11 s would be 34 minutes: five minutes it is
    clock.advance(299)
    with pytest.raises(LoginThrottled, match="1 giây"):
        accounts.authenticate("quantri", PASSWORD)
    clock.advance(1)
    assert accounts.authenticate("quantri", PASSWORD, desk.context.clock.now()).role is Role.ADMIN


def test_the_wait_is_said_in_minutes_and_seconds(desk: Services, clock: StepClock) -> None:
    accounts = desk.accounts
    for failures in range(9):
        clock.advance(min(2**failures, 300))
        with pytest.raises(PermissionDenied):
            accounts.authenticate("quantri", WRONG)
    # 9 failures: 2^8 = 256 s of delay; 10 s later, 246 s remain
    with pytest.raises(LoginThrottled, match="4 phút 6 giây") as refused:
        accounts.authenticate("quantri", PASSWORD, clock.now() + timedelta(seconds=10))
    assert refused.value.retry_after == timedelta(seconds=246)


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_password(desk: Services, hasher: CountingHasher) -> None:
    with pytest.raises(PermissionDenied) as unknown:
        desk.accounts.authenticate("khong-ton-tai", PASSWORD)
    with pytest.raises(PermissionDenied) as wrong:
        desk.accounts.authenticate("quantri", WRONG)
    assert unknown.value.message == wrong.value.message
    assert hasher.verifications == 2  # the unknown name was hashed too: timing does not tell names apart
