"""Hostile text in every free-text field goes through push and pull verbatim (COPY, SQL, JSON, control characters)."""

from __future__ import annotations

from sync_helpers import (
    AGENCY_A,
    Central,
    MakeCounter,
    central_events,
    central_states,
    comparable,
    identifier,
    local_events,
    sync,
)

from counter_app.domain.intake import IntakeForm

# Each piece attacks one layer: SQL quoting, COPY's text format (\N is its NULL, \. its end, tabs and newlines
# its separators), JSON, %-formatting, PostgreSQL dollar quoting, Unicode edge cases.
HOSTILE = (
    "'; DROP TABLE central.event; --",
    'Robert"); DELETE FROM central.dossier; --',
    "\\N",
    "\\.",
    "\\\\N\\t\\n",
    "tab\there",
    "line\nbreak\r\nwindows",
    "%s %(name)s {0} {}",
    "$$ $tag$ E'\\x41' U&'\\0041'",
    '{"json": [1, 2], "x": null}',
    "Ấp Đông Thạnh 2 — Hóc Môn ✓ 😀 ﷽ \u202etxet\u202c \u200b zero\u2028sep",
    "Nguyễn Ǹ̂ (combining) A\u0301",
)
LONG = ("Tổ 7, khu phố 3, phường Bến Thành; " * 2000)[:60_000]


def test_hostile_text_round_trips_verbatim_through_push_and_pull(central: Central, make_counter: MakeCounter) -> None:
    one = make_counter(AGENCY_A, 1)
    two = make_counter(AGENCY_A, 2)
    hostile = " | ".join(HOSTILE)
    accepted = one.intake.accept(
        IntakeForm(
            procedure_code="DEMO.KH",
            name="O'Brien-Nguyễn Thị Ánh",
            identifier=identifier(1),
            address="Tổ 7, khu phố 3, phường Bến Thành",  # the intake refuses what the forms cannot print
            filer_name="Lê Văn D'Arc",
            filer_identifier=identifier(2),
            filer_authorisation="Giấy ủy quyền số 12/2026",
            email="o'brien+tag@example.vn",
        )
    )
    code = str(accepted.code)
    # a correction is not squeezed by the intake form: control characters and any length are kept
    one.dossiers.correct(
        code,
        {
            "applicant_address": hostile + "\n" + LONG,
            "postal_address": "\t".join(HOSTILE),
            "filer_authorisation": hostile[:500],
            "result_delivery": "post",
        },
        reason=hostile,
    )
    one.dossiers.withdraw(code, reason="Lý do: " + HOSTILE[0] + " " + HOSTILE[6])
    original = one.dossiers.get_state(code)
    assert original.applicant_address == hostile + "\n" + LONG  # the test really carries the hostile text

    assert sync(one, central, AGENCY_A, 1).failed == 0
    pulled = sync(two, central, AGENCY_A, 2)

    assert pulled.pulled == 3
    copy = two.dossiers.get_state(code)
    assert comparable(copy) == comparable(original)
    assert comparable(central_states(central)[accepted.uuid]) == comparable(original)
    mine = local_events(one)
    assert {u: e[:2] for u, e in local_events(two).items()} == {u: e[:2] for u, e in mine.items()}
    assert {u: e[:2] for u, e in central_events(central).items()} == {u: e[:2] for u, e in mine.items()}
    assert [v.code for v in two.dossiers.find("O'Brien-Nguyễn")] == [code]
