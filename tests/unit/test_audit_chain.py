"""The audit chain in the domain: fixed test vectors of its bytes and HMAC, and tampering at both ends."""

from __future__ import annotations

from dataclasses import replace

import pytest
from unit.audit_chain_support import edited, sealed_chain

from counter_app.domain.audit_chain import (
    Breakage,
    ChainLink,
    HeldLink,
    canonical_bytes,
    compare_with_central,
    link_hash,
    seal,
    verify_chain,
)

# 32 bytes, like a real counter key.
KEY = b"counter-1-test-key-0123456789abc"
OTHER_KEY = b"someone-else-key-0123456789abcde"
AGENCY = "000.17.22.H56"

# --- fixed test vectors -------------------------------------------------------------------------------------
# The expected bytes are written out by hand from docs/security.md (a compact JSON array of the ten fields,
# UTF-8, non-ASCII kept as is); the digests were computed once outside the code under test, with
# `hmac.new(KEY, <these bytes>, hashlib.sha256)` and `openssl dgst -sha256 -hmac`, which agreed.
# Changing the hash format (field order, separators, escaping, encoding, algorithm) must break these tests: a
# new format needs a migration of every stored chain, not a silent change.

VECTOR_FIRST = ChainLink(
    uuid="0190f0a2-7b1c-7d3e-8f4a-123456789abc",
    kind="dossier.accepted",
    dossier_uuid="0190f0a2-7b1c-7d3e-8f4a-0000000000d1",
    payload='{"applicant_name":"Nguyễn Văn An"}',
    occurred_at="2026-03-02T09:00:00+07:00",
    agency_code=AGENCY,
    counter=1,
    seq=1,
    clerk="Trần Thị Bình",
    prev_hash="",
)
VECTOR_FIRST_BYTES = (
    '["0190f0a2-7b1c-7d3e-8f4a-123456789abc","dossier.accepted","0190f0a2-7b1c-7d3e-8f4a-0000000000d1",'
    '"{\\"applicant_name\\":\\"Nguyễn Văn An\\"}","2026-03-02T09:00:00+07:00","000.17.22.H56",1,1,'
    '"Trần Thị Bình",""]'
).encode()
VECTOR_FIRST_HMAC = "ad2d16b4f9ee315d101dea1dfa5f73061580e797ce2bcaa8a7c43114efce8a07"

# No dossier (null), an empty clerk and a non-empty prev_hash.
VECTOR_SECOND = ChainLink(
    uuid="0190f0a2-7b1c-7d3e-8f4a-123456789abd",
    kind="audit.key_created",
    dossier_uuid=None,
    payload="{}",
    occurred_at="2026-03-02T09:05:00+07:00",
    agency_code=AGENCY,
    counter=1,
    seq=2,
    clerk="",
    prev_hash="00ff",
)
VECTOR_SECOND_BYTES = (
    b'["0190f0a2-7b1c-7d3e-8f4a-123456789abd","audit.key_created",null,"{}","2026-03-02T09:05:00+07:00",'
    b'"000.17.22.H56",1,2,"","00ff"]'
)
VECTOR_SECOND_HMAC = "45f35bb3bca8e9940dfee341d91130ab2ea8192f8ce6a442c6a38c97f5dcebb2"


def test_canonical_bytes_of_a_fixed_link() -> None:
    assert canonical_bytes(VECTOR_FIRST) == VECTOR_FIRST_BYTES
    assert canonical_bytes(VECTOR_SECOND) == VECTOR_SECOND_BYTES


def test_the_stored_hash_is_not_part_of_the_canonical_bytes() -> None:
    assert canonical_bytes(replace(VECTOR_FIRST, hash="ab" * 32)) == VECTOR_FIRST_BYTES


def test_hmac_of_a_fixed_link() -> None:
    assert link_hash(KEY, VECTOR_FIRST) == VECTOR_FIRST_HMAC
    assert link_hash(KEY, VECTOR_SECOND) == VECTOR_SECOND_HMAC
    assert seal(KEY, VECTOR_FIRST) == replace(VECTOR_FIRST, hash=VECTOR_FIRST_HMAC)


def test_the_hmac_depends_on_the_key() -> None:
    assert link_hash(OTHER_KEY, VECTOR_FIRST) != VECTOR_FIRST_HMAC


@pytest.mark.parametrize(
    "field",
    ["uuid", "kind", "dossier_uuid", "payload", "occurred_at", "agency_code", "counter", "seq", "clerk", "prev_hash"],
)
def test_every_field_is_covered_by_the_hmac(field: str) -> None:
    value = getattr(VECTOR_SECOND, field)
    changed = replace(VECTOR_SECOND, **{field: value + 1 if isinstance(value, int) else f"{value or ''}x"})
    assert link_hash(KEY, changed) != VECTOR_SECOND_HMAC


# --- tampering at both ends of a chain ----------------------------------------------------------------------


def test_an_intact_chain_verifies() -> None:
    check = verify_chain(sealed_chain(5), KEY, complete=True)
    assert (check.ok, check.checked, check.broken) == (True, 5, None)


def test_editing_the_newest_event_is_found() -> None:
    links = sealed_chain(5)
    links[-1] = edited(links[-1])
    check = verify_chain(links, KEY, complete=True)
    assert not check.ok
    assert check.checked == 5
    assert check.broken is not None
    assert (check.broken.seq, check.broken.event_uuid, check.broken.what) == (5, "event-5", Breakage.EDITED)
    assert (check.broken.agency_code, check.broken.counter) == (AGENCY, 1)


def test_replacing_only_the_hash_of_the_newest_event_is_found() -> None:
    links = sealed_chain(5)
    links[-1] = replace(links[-1], hash="0" * 64)
    check = verify_chain(links, KEY, complete=True)
    assert check.broken is not None
    assert (check.broken.seq, check.broken.what) == (5, Breakage.EDITED)


def test_resealing_the_newest_event_with_another_key_is_found() -> None:
    links = sealed_chain(5)
    links[-1] = seal(OTHER_KEY, edited(links[-1]))
    check = verify_chain(links, KEY, complete=True)
    assert check.broken is not None
    assert (check.broken.seq, check.broken.what) == (5, Breakage.EDITED)


def test_editing_the_only_event_of_a_chain_is_found() -> None:
    check = verify_chain([edited(sealed_chain(1)[0])], KEY, complete=True)
    assert check.checked == 1
    assert check.broken is not None
    assert (check.broken.seq, check.broken.event_uuid, check.broken.what) == (1, "event-1", Breakage.EDITED)


def test_editing_the_first_event_is_found() -> None:
    links = sealed_chain(5)
    links[0] = edited(links[0])
    check = verify_chain(links, KEY, complete=True)
    # The walk judges the first row once it has seen the second (which still points at the stored hash).
    assert check.checked == 1
    assert check.broken is not None
    assert (check.broken.seq, check.broken.event_uuid, check.broken.what) == (1, "event-1", Breakage.EDITED)


def test_a_first_event_that_points_at_something_is_found() -> None:
    links = sealed_chain(5)
    links[0] = seal(KEY, replace(links[0], prev_hash="ab" * 32))
    check = verify_chain(links, KEY, complete=True)
    assert check.checked == 1
    assert check.broken is not None
    assert (check.broken.seq, check.broken.what) == (1, Breakage.INSERTED)


def test_editing_the_first_event_and_recomputing_the_rest_without_the_key_is_rehashed() -> None:
    # The first row edited, then every hash recomputed in order with a key that is not the counter's.
    forged = sealed_chain(5, key=OTHER_KEY)
    links = [seal(OTHER_KEY, edited(forged[0])), *forged[1:]]
    prev = links[0].hash
    for i in range(1, 5):
        links[i] = seal(OTHER_KEY, replace(links[i], prev_hash=prev))
        prev = links[i].hash
    check = verify_chain(links, KEY, complete=True)
    assert check.broken is not None
    assert (check.broken.seq, check.broken.what) == (1, Breakage.REHASHED)


def test_without_a_key_only_the_linkage_is_checked() -> None:
    links = sealed_chain(5)
    links[-1] = edited(links[-1])
    assert verify_chain(links, None, complete=True).ok
    links[-1] = replace(links[-1], prev_hash="ab" * 32)
    check = verify_chain(links, None, complete=True)
    assert check.broken is not None
    assert (check.broken.seq, check.broken.what) == (5, Breakage.INSERTED)


def test_a_row_deleted_in_the_middle_is_named_by_the_missing_number() -> None:
    links = sealed_chain(5)
    del links[2]  # seq 3
    check = verify_chain(links, KEY, complete=True)
    assert check.checked == 3  # 1, 2, and the row found after the gap
    assert check.broken is not None
    assert (check.broken.seq, check.broken.event_uuid, check.broken.what) == (3, "event-4", Breakage.MISSING)
    # events pulled from the central: gaps are normal
    assert verify_chain(links, KEY, complete=False).ok


def test_a_row_that_does_not_point_at_its_predecessor_is_inserted() -> None:
    links = sealed_chain(5)
    links[2] = seal(KEY, replace(links[2], prev_hash="ab" * 32))
    check = verify_chain(links, KEY, complete=True)
    assert check.checked == 3
    assert check.broken is not None
    assert (check.broken.seq, check.broken.event_uuid, check.broken.what) == (3, "event-3", Breakage.INSERTED)


def test_a_forged_row_slipped_in_after_the_first_is_inserted() -> None:
    # A forged row takes seq 2, pointing at event 1 like a real one; the later rows move up one seq each and
    # keep their stored prev_hash and hash (without the key they cannot be re-sealed).
    links = sealed_chain(4)
    forged = replace(links[1], uuid="forged", payload='{"forged":true}', hash="f" * 64)
    moved = [replace(link, seq=link.seq + 1) for link in links[1:]]
    check = verify_chain([links[0], forged, *moved], KEY, complete=True)
    assert check.checked == 2
    assert check.broken is not None
    assert (check.broken.seq, check.broken.event_uuid, check.broken.what) == (2, "forged", Breakage.INSERTED)


def test_a_forged_first_row_is_inserted() -> None:
    links = sealed_chain(3)
    forged = ChainLink("forged", "dossier.withdrawn", None, "{}", "2026-03-02T08:00:00+07:00", AGENCY, 1, 1, "", "")
    moved = [replace(link, seq=link.seq + 1) for link in links]
    check = verify_chain([replace(forged, hash="f" * 64), *moved], KEY, complete=True)
    assert check.broken is not None
    assert (check.broken.seq, check.broken.event_uuid, check.broken.what) == (1, "forged", Breakage.INSERTED)


def test_a_break_as_a_dict_names_everything_and_says_it_in_vietnamese() -> None:
    links = sealed_chain(2)
    links[1] = edited(links[1])
    broken = verify_chain(links, KEY, complete=True).broken
    assert broken is not None
    assert broken.as_dict() == {
        "agency_code": AGENCY,
        "counter": 1,
        "seq": 2,
        "event_uuid": "event-2",
        "what": "edited",
        "message": "nội dung sự kiện đã bị sửa sau khi ghi (mã kiểm tra không khớp)",
    }


# --- the central's copy ---------------------------------------------------------------------------------------


def test_the_central_copy_may_hold_what_was_sent_and_what_is_not_acknowledged_yet() -> None:
    local = sealed_chain(4)
    sent = [(link, link.seq <= 3) for link in local]  # the fourth is not sent yet
    held = [HeldLink(link) for link in reversed(local[:3])]  # in any order
    check = compare_with_central(sent, held)
    assert (check.ok, check.checked) == (True, 3)
    check = compare_with_central(sent, [*held, HeldLink(local[3])])  # its acknowledgement was lost
    assert (check.ok, check.checked) == (True, 4)


def test_a_withheld_link_is_compared_by_uuid_and_hashes_only() -> None:
    local = sealed_chain(3)
    sent = [(link, True) for link in local]
    hidden = replace(local[1], kind="", payload="", occurred_at="", dossier_uuid=None, clerk="")
    assert compare_with_central(sent, [HeldLink(local[0]), HeldLink(hidden, withheld=True), HeldLink(local[2])]).ok
    for field, value in (("uuid", "other"), ("prev_hash", "ab" * 32), ("hash", "cd" * 32)):
        changed = HeldLink(replace(hidden, **{field: value}), withheld=True)
        check = compare_with_central(sent, [HeldLink(local[0]), changed, HeldLink(local[2])])
        assert check.broken is not None, field
        assert (check.checked, check.broken.seq, check.broken.what) == (2, 2, Breakage.CENTRAL_EDITED)


def test_an_edited_copy_on_the_central_is_named() -> None:
    local = sealed_chain(3)
    sent = [(link, True) for link in local]
    check = compare_with_central(sent, [HeldLink(local[0]), HeldLink(edited(local[1])), HeldLink(local[2])])
    assert check.checked == 2
    assert check.broken is not None
    assert (check.broken.seq, check.broken.event_uuid, check.broken.what) == (2, "event-2", Breakage.CENTRAL_EDITED)
    assert (check.broken.agency_code, check.broken.counter) == (AGENCY, 1)


def test_a_sent_event_missing_on_the_central_is_named() -> None:
    local = sealed_chain(3)
    sent = [(link, True) for link in local]
    check = compare_with_central(sent, [HeldLink(local[0]), HeldLink(local[2])])
    assert check.checked == 1
    assert check.broken is not None
    assert (check.broken.seq, check.broken.event_uuid, check.broken.what) == (2, "event-2", Breakage.CENTRAL_MISSING)


def test_an_extra_event_on_the_central_is_named_lowest_first() -> None:
    local = sealed_chain(3)
    sent = [(link, True) for link in local]
    extra = [replace(local[2], uuid=f"x{seq}", seq=seq) for seq in (6, 5)]
    check = compare_with_central(sent, [*(HeldLink(link) for link in local), *(HeldLink(x) for x in extra)])
    assert check.checked == 4  # the three compared and the extra one
    assert check.broken is not None
    assert (check.broken.seq, check.broken.event_uuid, check.broken.what) == (5, "x5", Breakage.CENTRAL_EXTRA)
    assert "máy chủ trung tâm" in check.broken.message
