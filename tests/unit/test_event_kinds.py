"""The one vocabulary of event kinds: the stored text never changes, and the fold knows only these kinds."""

from __future__ import annotations

import json

from counter_app.domain.dossier import FINISHING_KINDS, OPENING_KINDS, STAGE_ACTIONS, STAY_ACTIONS
from counter_app.domain.event_kinds import EventKind

# the text stored in event.kind and held by the central: changing one would orphan every recorded event
STORED = {
    "dossier.accepted", "slip.supplement", "slip.refused", "slip.completed", "dossier.transferred",
    "dossier.supplement_requested", "dossier.supplement_received", "dossier.payment_requested",
    "dossier.payment_received", "dossier.result_ready", "dossier.handed_over", "dossier.withdrawn",
    "dossier.stopped", "dossier.voided", "dossier.corrected", "dossier.reappointed", "dossier.flagged",
    "document.printed", "document.sent_to_printer", "attachment.added", "attachment.exempted",
    "catalogue.procedure_saved", "catalogue.procedure_deactivated", "audit.key_replaced",
}  # fmt: skip


def test_the_stored_text_of_every_kind_is_unchanged() -> None:
    assert {kind.value for kind in EventKind} == STORED


def test_a_kind_is_written_as_its_text() -> None:
    assert json.dumps({"kind": EventKind.HANDED_OVER}) == '{"kind": "dossier.handed_over"}'
    assert f"{EventKind.TRANSFERRED}" == "dossier.transferred"
    assert EventKind("dossier.voided") is EventKind.VOIDED


def test_the_fold_knows_only_these_kinds() -> None:
    folded = OPENING_KINDS | STAGE_ACTIONS.keys() | STAY_ACTIONS.keys() | FINISHING_KINDS
    assert all(isinstance(kind, EventKind) for kind in folded)
