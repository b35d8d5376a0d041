"""Papers digitised at one counter are listed at the counters that pull the dossier, then fetched on demand."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import keyring
import pytest
from sync_helpers import AGENCY_A, AGENCY_B, Central, MakeCounter, accept_many, cli, sync
from test_attachment_sync import noise_pdf

from counter_app.errors import NotFoundError
from counter_app.storage.models import AttachmentRow
from counter_app.ui.attachments.attachments_panel import AttachmentsPanel
from counter_app.ui.qt.task_runner import TaskRunner

MIB = 1 << 20


def attachment_rows(services: object) -> list[tuple[str, int, str, int, str]]:
    with services.context.uow() as uow:  # type: ignore[attr-defined]
        rows = uow.session.query(AttachmentRow).order_by(AttachmentRow.uuid).all()
        return [(r.uuid, r.paper_position, r.sha256, r.sync_state, r.exempt_reason) for r in rows]


def test_pulled_attachment_events_list_the_papers_and_the_files_can_be_fetched(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    folder = tmp_path / "scans"
    folder.mkdir()
    shared, private = accept_many(one, 2)
    first = noise_pdf(folder / "to-khai.pdf", MIB)
    second = noise_pdf(folder / "to-khai-moi.pdf", MIB + 7)
    one.attachments.add_files(str(shared.code), 1, [first])
    replaced = one.attachments.add_files(str(shared.code), 1, [second])  # the paper's current file is the later one
    one.attachments.exempt_paper(str(shared.code), 2, "comparison", "bản chính đối chiếu")
    own_file = noise_pdf(folder / "rieng.pdf", MIB + 11)
    private_sha = one.attachments.add_files(str(private.code), 1, [own_file]).sha256
    one.dossiers.transfer(str(shared.code), to_agency=AGENCY_B)
    assert sync(one, central, AGENCY_A, 1).files_uploaded == 3
    own_rows = attachment_rows(one)

    decider = make_counter(AGENCY_B, 1)
    pulled = sync(decider, central, AGENCY_B, 1)

    assert pulled.failed == 0
    papers = {p.paper: p.attachment for p in decider.attachments.checklist(str(shared.code))}
    current = papers[1]
    assert current is not None
    assert (current.sha256, current.pages, current.size, current.synced) == (
        replaced.sha256,
        1,
        second.stat().st_size,
        True,
    )
    exempted = papers[2]
    assert exempted is not None and exempted.exempt and exempted.exempt_note == "bản chính đối chiếu"
    # the same rows as the counter that scanned them (same uuids), for this dossier only
    shared_rows = [r for r in own_rows if r[2] != private_sha]
    assert [(u, p, s, e) for u, p, s, _state, e in attachment_rows(decider)] == [
        (u, p, s, e) for u, p, s, _state, e in shared_rows
    ]
    assert decider.attachments.pending_uploads() == []  # nothing to upload from here
    assert current.file_here is False and decider.attachments.files_to_fetch(str(shared.code)) == 1
    assert decider.attachments.verify_attachments() is None  # not fetched yet is not "missing"
    with pytest.raises(NotFoundError):  # listed, not yet fetched
        decider.attachments.pdf_path(replaced.sha256)
    listed = cli(tmp_path, "--db", str(decider.context.database.path), "attachments", str(shared.code), "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [{"paper": 1, "pages": 1, "sha256": replaced.sha256, "synced": True}]

    address = {"central_url": central.service_url(), "ca_file": central.ca_file}
    fetched = decider.sync.fetch_attachments(str(shared.code), **address)

    assert fetched.fetched == (replaced.sha256,)
    assert decider.attachments.files_to_fetch(str(shared.code)) == 0
    assert decider.attachments.verify_attachments() is None
    decider.attachments.pdf_path(replaced.sha256).write_bytes(b"%PDF-1.4 changed after the fetch")
    problem = decider.attachments.verify_attachments()
    assert problem is not None and problem.sha256 == replaced.sha256  # once here, a fetched file is checked
    decider.sync.fetch_attachments(str(shared.code), **address)
    assert hashlib.sha256(decider.attachments.pdf_path(replaced.sha256).read_bytes()).hexdigest() == replaced.sha256
    # the next sync uploads nothing and a repeated pull adds no row
    again = sync(decider, central, AGENCY_B, 1)
    assert (again.files_uploaded, again.files_failed, again.failed) == (0, 0, 0)
    assert len(attachment_rows(decider)) == len(shared_rows)

    # another counter of the receiving agency lists both dossiers' papers
    two = make_counter(AGENCY_A, 2)
    sync(two, central, AGENCY_A, 2)
    assert [(u, p, s, e) for u, p, s, _state, e in attachment_rows(two)] == [
        (u, p, s, e) for u, p, s, _state, e in own_rows
    ]
    assert [a.sha256 for a in two.attachments.list_attachments(str(private.code))] == [private_sha]


def test_the_deciding_counter_fetches_the_files_when_it_opens_the_dossier(
    qtbot: Any, central: Central, make_counter: MakeCounter, tmp_path: Path, secret_service_env: dict[str, str]
) -> None:
    one = make_counter(AGENCY_A, 1)
    [dossier] = accept_many(one, 1)
    scan = noise_pdf(tmp_path / "to-khai.pdf", 300_000)
    added = one.attachments.add_files(str(dossier.code), 1, [scan])
    one.dossiers.transfer(str(dossier.code), to_agency=AGENCY_B)
    sync(one, central, AGENCY_A, 1)
    decider = make_counter(AGENCY_B, 1)
    sync(decider, central, AGENCY_B, 1)
    # as the deciding counter runs: the address and the CA in the settings, the credential in the system keyring
    # (kept there by its last sync)
    assert keyring.get_password("counter_app", f"sync-credential:{AGENCY_B}:1") == central.credential(AGENCY_B, 1)
    decider.setup.set_setting("central_url", central.service_url())
    decider.setup.set_setting("central_ca_file", central.ca_file)
    runner = TaskRunner()
    panel = AttachmentsPanel(decider, runner)
    qtbot.addWidget(panel)
    panel.show()

    with qtbot.waitSignal(panel.sig_fetched, timeout=60_000) as fetched:
        panel.set_dossier(str(dossier.code))
    qtbot.waitUntil(lambda: panel.table.item(0, 4) is not None and panel.table.item(0, 4).text() == "Đã tải về")

    assert fetched.args[0].fetched == (added.sha256,)
    stored = decider.attachments.pdf_path(added.sha256)
    assert (
        hashlib.sha256(stored.read_bytes()).hexdigest() == added.sha256 == hashlib.sha256(scan.read_bytes()).hexdigest()
    )
    panel.select_paper(1)
    assert panel.view_button.isEnabled()
    runner.wait_for_workers()


def test_an_unreachable_central_leaves_the_paper_listed_as_not_fetched(
    qtbot: Any, central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    [dossier] = accept_many(one, 1)
    one.attachments.add_files(str(dossier.code), 1, [noise_pdf(tmp_path / "a.pdf", 50_000)])
    one.dossiers.transfer(str(dossier.code), to_agency=AGENCY_B)
    sync(one, central, AGENCY_A, 1)
    decider = make_counter(AGENCY_B, 1)
    sync(decider, central, AGENCY_B, 1)
    decider.setup.set_setting("central_url", "https://127.0.0.1:9")  # nothing listens there
    runner = TaskRunner()
    panel = AttachmentsPanel(decider, runner)
    qtbot.addWidget(panel)

    with qtbot.waitSignal(panel.sig_fetched, timeout=60_000) as failed:
        panel.set_dossier(str(dossier.code))

    assert isinstance(failed.args[0], Exception)
    assert panel.table.item(0, 4).text() == "Chưa tải về"
    assert "Chưa tải được tệp số hóa" in panel.status.text()
    panel.select_paper(1)
    assert not panel.view_button.isEnabled()
    runner.wait_for_workers()
