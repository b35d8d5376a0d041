"""New identities (counter_app.identities): time-ordered UUIDs and the status link's random keys."""

from __future__ import annotations

import time
import uuid

from counter_app.domain.status_link import looks_like_status_key
from counter_app.identities import new_status_key, new_uuid


def test_new_uuid_is_unique_time_ordered_and_stamped_now() -> None:
    before = time.time_ns() // 1_000_000
    ids = [new_uuid() for _ in range(1000)]
    after = time.time_ns() // 1_000_000

    assert len(set(ids)) == 1000
    assert all(isinstance(i, uuid.UUID) and i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert ids == sorted(ids)  # made in time order, even within one millisecond
    stamps = [i.int >> 80 for i in ids]  # the first 48 bits: Unix time in milliseconds
    # the generator moves on by a millisecond when asked twice in one: at most 1,000 ms ahead here
    assert before <= stamps[0] and stamps[-1] <= after + 1000


def test_keys_are_128_random_bits_in_the_link_alphabet() -> None:
    keys = {new_status_key() for _ in range(200)}
    assert len(keys) == 200 and all(looks_like_status_key(k) for k in keys)
    assert not looks_like_status_key("short") and not looks_like_status_key("a" * 21 + "!")
