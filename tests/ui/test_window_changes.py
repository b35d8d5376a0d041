"""The window after an action or a sync: the acting person is the one who queued the action, and each page
decides by the changes whether to read again (an open dossier follows what a sync pulled)."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Qt
from ui.ui_support import MARRIAGE, person_form, settle

from counter_app.bootstrap import Services
from counter_app.domain.status import Action
from counter_app.services.common.changes import Changes
from counter_app.services.syncing.sync_status import SyncReport
from counter_app.ui.dossier.dossier_screen import DossierScreen
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow

ADMIN, CLERK = ("quantri", "Quan-tri-2026!"), ("canbo", "Can-bo-2026!")


def _open_dossier(qtbot: Any, window: MainWindow, code: str) -> DossierScreen:
    with qtbot.waitSignal(window.sig_dossier_opened, timeout=10_000) as opened:
        window.open_dossier(code)
    screen: DossierScreen = opened.args[0]
    qtbot.waitUntil(lambda: screen.bundle() is not None, timeout=10_000)
    return screen


def test_an_action_is_recorded_under_the_person_who_queued_it(
    qtbot: Any, window: MainWindow, services: Services, runner: TaskRunner
) -> None:
    services.accounts.add_user(ADMIN[0], "admin", ADMIN[1])
    services.accounts.sign_in(*ADMIN)
    services.accounts.add_user(CLERK[0], "clerk", CLERK[1])
    code = services.intake.accept(person_form(MARRIAGE)).code
    assert code is not None
    # the write worker is busy when the transfer is queued: it runs only after the next person has signed in
    release = threading.Event()
    runner.run_serial(release.wait, 10)
    done: list[object] = []
    runner.run_serial(services.dossiers.transfer, code, on_done=done.append)
    services.accounts.sign_out()
    services.accounts.sign_in(*CLERK)
    release.set()
    qtbot.waitUntil(lambda: done != [], timeout=10_000)
    transferred = [e for e in services.dossiers.timeline(code) if e.kind == "dossier.transferred"]
    assert [e.clerk for e in transferred] == [ADMIN[0]]
    # and what is queued now acts as the person signed in now
    runner.run_serial(services.dossiers.request_supplement, code, "Thiếu bản sao giấy khai sinh", on_done=done.append)
    qtbot.waitUntil(lambda: len(done) == 2, timeout=10_000)
    assert services.dossiers.timeline(code)[-1].clerk == CLERK[0]


def test_a_sync_that_pulled_a_change_refreshes_the_open_dossier(
    qtbot: Any, window: MainWindow, services: Services, runner: TaskRunner, monkeypatch: Any
) -> None:
    code = services.intake.accept(person_form(MARRIAGE)).code
    assert code is not None
    screen = _open_dossier(qtbot, window, code)
    assert screen.timeline_labels() == ["Tiếp nhận hồ sơ"]

    def pull_a_transfer(*_args: object, **_kwargs: object) -> SyncReport:
        # what another counter recorded, arriving through the real service as a pull would write it
        services.dossiers.transfer(code)
        return SyncReport(pushed=0, pulled=1, failed=0, dossiers=1)

    monkeypatch.setattr(services.sync, "sync_now", pull_a_transfer)
    seen: list[Changes] = []
    window.sig_changed.connect(lambda changes, _initiator: seen.append(changes))
    with qtbot.waitSignal(screen.sig_loaded, timeout=10_000):
        window.sync_panel.action.trigger()
    assert len(screen.timeline_labels()) == 2
    assert seen and seen[-1].touches(screen.bundle().state.uuid)  # type: ignore[union-attr]
    settle(qtbot, runner)


def test_a_change_of_another_dossier_leaves_an_open_one_alone(
    qtbot: Any, window: MainWindow, services: Services, runner: TaskRunner
) -> None:
    first = services.intake.accept(person_form(MARRIAGE)).code
    second = services.intake.accept(person_form(MARRIAGE)).code
    assert first is not None and second is not None
    screen = _open_dossier(qtbot, window, first)
    other = _open_dossier(qtbot, window, second)
    assert other.bundle() is not None
    loads: list[object] = []
    screen.sig_loaded.connect(loads.append)
    with qtbot.waitSignal(other.sig_loaded, timeout=10_000):
        qtbot.mouseClick(other.action_buttons[Action.TRANSFER], Qt.MouseButton.LeftButton)
    settle(qtbot, runner)
    assert loads == []
