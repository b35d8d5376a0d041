"""The walk goes on after a break: every independent tampering is named, each damage once, a key change explained.

(issue 19, item 5) A first break used to end the walk, so that a later edit stayed hidden for as long as the
first one was there. `broken` and `checked` keep their meaning (the first break, the links judged up to it).
"""

from __future__ import annotations

from dataclasses import replace

from unit.audit_chain_support import AGENCY, KEY, edited, link, sealed_chain

from counter_app.domain.audit_chain import (
    BREAKAGE_MESSAGES,
    Breakage,
    ChainBreak,
    ChainCheck,
    ChainLink,
    seal,
    verify_chain,
)
from counter_app.domain.event_kinds import EventKind

OLD_KEY = b"the-lost-key-of-counter-1-012345"


def _found(check: ChainCheck) -> list[tuple[int, str, Breakage]]:
    return [(b.seq, b.event_uuid, b.what) for b in check.breaks]


def _with_key_change(old: list[ChainLink], after: int = 2) -> list[ChainLink]:
    """`old` (sealed with the lost key), the recorded key change sealed with KEY, then `after` new events."""
    change = seal(KEY, link(len(old) + 1, old[-1].hash, kind=EventKind.KEY_REPLACED))
    return [*old, change, *sealed_chain(after, start=len(old) + 2, prev=change.hash)]


def test_an_intact_chain_has_no_breaks() -> None:
    check = verify_chain(sealed_chain(4), KEY, complete=True)
    assert (check.breaks, check.later, check.checked) == ((), (), 4)


def test_two_independent_edits_are_both_named_and_checked_stops_at_the_first() -> None:
    links = sealed_chain(8)
    links[2] = edited(links[2])
    links[5] = edited(links[5])
    check = verify_chain(links, KEY, complete=True)
    assert _found(check) == [(3, "event-3", Breakage.EDITED), (6, "event-6", Breakage.EDITED)]
    assert check.broken == check.breaks[0]
    assert check.later == check.breaks[1:]
    assert check.checked == 3  # as before: the links judged when the first break was found


def test_an_edit_then_a_deletion_then_an_edit_of_the_newest_are_all_named() -> None:
    links = sealed_chain(9)
    links[1] = edited(links[1])
    links[8] = edited(links[8])
    del links[5]  # seq 6
    check = verify_chain(links, KEY, complete=True)
    assert _found(check) == [
        (2, "event-2", Breakage.EDITED),
        (6, "event-7", Breakage.MISSING),
        (9, "event-9", Breakage.EDITED),
    ]
    assert check.checked == 2


def test_a_row_after_a_gap_is_still_checked_against_its_hmac() -> None:
    links = sealed_chain(5)
    links[3] = edited(links[3])
    del links[2]  # seq 3 gone and seq 4, after the gap, edited
    assert _found(verify_chain(links, KEY, complete=True)) == [
        (3, "event-4", Breakage.MISSING),
        (4, "event-4", Breakage.EDITED),
    ]


def test_a_broken_link_then_a_later_edit_are_both_named() -> None:
    links = sealed_chain(7)
    links[2] = seal(KEY, replace(links[2], prev_hash="ab" * 32))  # re-sealed by the key-holder, link broken
    links[5] = edited(links[5])
    check = verify_chain(links, KEY, complete=True)
    assert _found(check) == [(3, "event-3", Breakage.INSERTED), (6, "event-6", Breakage.EDITED)]
    assert check.checked == 3


def test_a_first_row_pointing_at_something_then_a_later_edit_are_both_named() -> None:
    links = sealed_chain(4)
    links[0] = seal(KEY, replace(links[0], prev_hash="ab" * 32))
    links[3] = edited(links[3])
    assert _found(verify_chain(links, KEY, complete=True)) == [
        (1, "event-1", Breakage.INSERTED),
        (4, "event-4", Breakage.EDITED),
    ]


def test_an_edit_with_its_hash_replaced_does_not_also_break_the_nextlink() -> None:
    links = sealed_chain(6)
    links[2] = replace(edited(links[2]), hash="e" * 64)  # row 4 still points at the hash row 3 had
    links[4] = edited(links[4])
    assert _found(verify_chain(links, KEY, complete=True)) == [
        (3, "event-3", Breakage.EDITED),
        (5, "event-5", Breakage.EDITED),
    ]


def test_a_chain_recomputed_without_the_key_is_one_break_and_a_later_broken_link_another() -> None:
    links = sealed_chain(8)
    forged = [seal(b"x" * 32, edited(links[2]))]
    for row in links[3:6]:  # rows 3 to 6 recomputed with another key, rows 7 and 8 left alone
        forged.append(seal(b"x" * 32, replace(row, prev_hash=forged[-1].hash)))
    links[2:6] = forged
    check = verify_chain(links, KEY, complete=True)
    # row 7 points at the hash row 6 had: a consequence of the recomputation, not a second break
    assert _found(check) == [(3, "event-3", Breakage.REHASHED)]
    links[7] = seal(KEY, replace(links[7], prev_hash="cd" * 32))
    assert _found(verify_chain(links, KEY, complete=True)) == [
        (3, "event-3", Breakage.REHASHED),
        (8, "event-8", Breakage.INSERTED),
    ]


def test_a_forged_row_with_the_later_rows_renumbered_is_one_break() -> None:
    links = sealed_chain(5)
    forged = replace(links[1], uuid="forged", payload='{"forged":true}', hash="f" * 64)
    moved = [replace(link, seq=link.seq + 1) for link in links[1:]]  # their HMACs fail: seq is covered
    check = verify_chain([links[0], forged, *moved], KEY, complete=True)
    assert _found(check) == [(2, "forged", Breakage.INSERTED)]
    # a row sealed with the key ends the damage, and an edit further on is still found
    tail = sealed_chain(3, start=7, prev=moved[-1].hash)
    check = verify_chain([links[0], forged, *moved, tail[0], edited(tail[1]), tail[2]], KEY, complete=True)
    assert _found(check) == [(2, "forged", Breakage.INSERTED), (8, "event-8", Breakage.EDITED)]


def test_a_deleted_row_with_the_later_rows_renumbered_is_one_break() -> None:
    links = sealed_chain(6)
    moved = [replace(link, seq=link.seq - 1) for link in links[3:]]  # seq 3 deleted, the gap closed
    check = verify_chain([*links[:2], *moved], KEY, complete=True)
    assert _found(check) == [(3, "event-4", Breakage.INSERTED)]


def test_a_forged_row_slipped_in_without_renumbering_does_not_break_the_next_link_too() -> None:
    links = sealed_chain(6)
    forged = replace(links[1], uuid="forged", seq=3, prev_hash=links[1].hash, payload='{"forged":true}', hash="f" * 64)
    rest = [replace(link, seq=link.seq + 1) for link in links[2:]]
    # only the row right after it moved; the rows after that are re-sealed by the key-holder
    resealed = [seal(KEY, rest[0])]
    for row in rest[1:]:
        resealed.append(seal(KEY, replace(row, prev_hash=resealed[-1].hash)))
    check = verify_chain([*links[:2], forged, *resealed], KEY, complete=True)
    assert _found(check) == [(3, "forged", Breakage.INSERTED)]


def test_without_a_key_every_broken_link_is_named() -> None:
    links = sealed_chain(6)
    links[1] = replace(links[1], prev_hash="ab" * 32)
    links[4] = replace(links[4], prev_hash="cd" * 32)
    check = verify_chain(links, None, complete=True)
    assert _found(check) == [(2, "event-2", Breakage.INSERTED), (5, "event-5", Breakage.INSERTED)]
    assert check.checked == 2


def test_pulled_rows_with_gaps_name_every_broken_link_between_consecutive_rows() -> None:
    links = sealed_chain(9)
    links[3] = replace(links[3], prev_hash="ab" * 32)
    links[7] = replace(links[7], prev_hash="cd" * 32)
    visible = [links[i] for i in (0, 2, 3, 5, 6, 7)]  # seq 1, 3, 4, 6, 7, 8
    check = verify_chain(visible, None, complete=False)
    assert _found(check) == [(4, "event-4", Breakage.INSERTED), (8, "event-8", Breakage.INSERTED)]


# --- a key that was lost and made again ------------------------------------------------------------------------


def test_the_rows_before_a_recorded_key_change_are_one_break_explained_by_it() -> None:
    links = _with_key_change(sealed_chain(4, key=OLD_KEY))
    check = verify_chain(links, KEY, complete=True)
    assert _found(check) == [(1, "event-1", Breakage.KEY_REPLACED)]
    assert check.checked == 1
    assert check.broken is not None
    assert check.broken.as_dict()["what"] == "key_replaced"
    assert "khóa mới" in check.broken.message


def test_a_single_row_before_a_recorded_key_change_is_explained_by_it() -> None:
    check = verify_chain(_with_key_change(sealed_chain(1, key=OLD_KEY)), KEY, complete=True)
    assert _found(check) == [(1, "event-1", Breakage.KEY_REPLACED)]


def test_a_deletion_among_the_rows_of_the_lost_key_is_named_besides_the_key_change() -> None:
    links = _with_key_change(sealed_chain(3, key=OLD_KEY))
    del links[0]  # seq 1, sealed with the lost key, deleted
    check = verify_chain(links, KEY, complete=True)
    assert _found(check) == [(1, "event-2", Breakage.MISSING), (2, "event-2", Breakage.KEY_REPLACED)]
    assert check.checked == 1


def test_tampering_after_a_key_change_is_still_named() -> None:
    links = _with_key_change(sealed_chain(3, key=OLD_KEY), after=4)
    links[6] = edited(links[6])
    assert _found(verify_chain(links, KEY, complete=True)) == [
        (1, "event-1", Breakage.KEY_REPLACED),
        (7, "event-7", Breakage.EDITED),
    ]


def test_a_key_change_that_does_not_continue_the_damaged_rows_explains_nothing() -> None:
    old = sealed_chain(3, key=OLD_KEY)
    change = seal(KEY, link(4, "ab" * 32, kind=EventKind.KEY_REPLACED))  # points elsewhere
    links = [*old, change, *sealed_chain(2, start=5, prev=change.hash)]
    assert _found(verify_chain(links, KEY, complete=True)) == [(1, "event-1", Breakage.REHASHED)]


def test_a_key_change_event_not_sealed_with_the_key_explains_nothing() -> None:
    links = _with_key_change(sealed_chain(3, key=OLD_KEY))
    links[3] = seal(OLD_KEY, links[3])  # anyone can write the kind; only the key-holder can seal it
    assert _found(verify_chain(links, KEY, complete=True))[0] == (1, "event-1", Breakage.REHASHED)


def test_another_event_after_the_damaged_rows_explains_nothing() -> None:
    old = sealed_chain(3, key=OLD_KEY)
    other = seal(KEY, link(4, old[-1].hash, kind="dossier.transferred"))
    assert _found(verify_chain([*old, other], KEY, complete=True)) == [(1, "event-1", Breakage.REHASHED)]


def test_a_key_change_after_rows_that_verify_with_the_key_explains_nothing() -> None:
    # a lost key leaves every row before its replacement unverifiable: damage after good rows is not that
    links = sealed_chain(6)
    links[1] = edited(links[1])
    links[4] = edited(links[4])
    links[5] = edited(links[5])  # rows 5 and 6 edited in place: linked to each other, both bad
    change = seal(KEY, link(7, links[5].hash, kind=EventKind.KEY_REPLACED))
    assert _found(verify_chain([*links, change], KEY, complete=True)) == [
        (2, "event-2", Breakage.EDITED),
        (5, "event-5", Breakage.REHASHED),
    ]
    links = sealed_chain(4)
    links[3] = edited(links[3])
    change = seal(KEY, link(5, links[3].hash, kind=EventKind.KEY_REPLACED))
    assert _found(verify_chain([*links, change], KEY, complete=True)) == [(4, "event-4", Breakage.EDITED)]


def test_a_key_change_after_damage_that_ended_explains_nothing() -> None:
    # the key change must directly follow the damaged rows: a row in between that is not damaged ends them
    old = sealed_chain(3, key=OLD_KEY)
    middle = seal(KEY, link(4, old[-1].hash))
    change = seal(KEY, link(5, middle.hash, kind=EventKind.KEY_REPLACED))
    assert _found(verify_chain([*old, middle, change], KEY, complete=True)) == [(1, "event-1", Breakage.REHASHED)]


def test_a_key_change_after_a_broken_link_explains_nothing() -> None:
    links = sealed_chain(3)
    links[2] = seal(KEY, replace(links[2], prev_hash="ab" * 32))
    change = seal(KEY, link(4, links[2].hash, kind=EventKind.KEY_REPLACED))
    assert _found(verify_chain([*links, change], KEY, complete=True)) == [(3, "event-3", Breakage.INSERTED)]


def test_the_key_change_message_is_in_the_vocabulary() -> None:
    assert Breakage.KEY_REPLACED.value == "key_replaced"
    assert EventKind.KEY_REPLACED == "audit.key_replaced"
    broken = ChainBreak(AGENCY, 1, 1, "event-1", Breakage.KEY_REPLACED)
    assert broken.message == BREAKAGE_MESSAGES[Breakage.KEY_REPLACED]
    assert ChainCheck(1, broken).breaks == (broken,)
