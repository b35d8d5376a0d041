"""How a row whose HMAC fails is classified by the row after it (docs/security.md, the audit chain).

A row slipped in between two real rows (INSERTED) leaves the next row pointing at the row *before* it. A row
whose content and stored hash were both replaced (EDITED) leaves the next row pointing at the hash it had
when written, which is neither the new hash nor its predecessor's: that is an edit, not an insertion.
"""

from __future__ import annotations

from dataclasses import replace

from unit.audit_chain_support import KEY, sealed_chain

from counter_app.domain.audit_chain import Breakage, verify_chain


def test_a_middle_row_edited_with_its_hash_replaced_is_edited_not_inserted() -> None:
    links = sealed_chain(5)
    original = links[2]
    links[2] = replace(original, payload='{"step":99,"note":"đã sửa"}', hash="e" * 64)
    # Row 4 still points at row 3's hash as written: neither row 3's new hash nor row 2's hash.
    assert links[3].prev_hash == original.hash
    assert links[3].prev_hash not in (links[2].hash, links[1].hash)
    check = verify_chain(links, KEY, complete=True)
    assert check.checked == 3
    assert check.broken is not None
    assert (check.broken.seq, check.broken.event_uuid, check.broken.what) == (3, "event-3", Breakage.EDITED)


def test_the_first_row_edited_with_its_hash_replaced_is_edited_not_inserted() -> None:
    # No predecessor: the row after it would point at "" had the first row been slipped in before it.
    links = sealed_chain(3)
    links[0] = replace(links[0], clerk="Người khác", hash="e" * 64)
    check = verify_chain(links, KEY, complete=True)
    assert check.broken is not None
    assert (check.broken.seq, check.broken.event_uuid, check.broken.what) == (1, "event-1", Breakage.EDITED)
