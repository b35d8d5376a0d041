"""The main window: work queues on the rail over paged view objects, search, catalogue and calendar, F2."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from ui.ui_support import BIRTH_REGISTRATION, MARRIAGE, PERSON_NAME, person_form, press_enter, type_text

from counter_app.bootstrap import Services
from counter_app.domain.clock import VN_TZ
from counter_app.ui.dossier.dossier_screen import DossierScreen
from counter_app.ui.intake.intake_screen import IntakeScreen
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.queue.dossier_table_model import DossierTableModel
from counter_app.ui.shell.main_window import MainWindow


def seed_queue(services: Services) -> dict[str, str]:
    """At Mon 02/03/2026 09:00 (domain.md §5): one dossier per queue."""
    due_soon = services.intake.accept(person_form(BIRTH_REGISTRATION, name="Trần Văn An"))  # due today 17:00
    waiting = services.intake.accept(person_form(MARRIAGE, name="Lê Thị Bình"))  # due Mon 09/03
    services.dossiers.transfer(waiting.uuid)
    services.dossiers.request_supplement(waiting.uuid, "Thiếu giấy xác nhận tình trạng hôn nhân")
    on_track = services.intake.accept(person_form(MARRIAGE, name="Phạm Văn Cường"))  # due Mon 09/03: not yet
    # received Thu 26/02 10:00 with a same-day procedure: due 26/02 17:00, overdue now
    overdue = services.intake.accept(
        person_form(BIRTH_REGISTRATION, name="Võ Thị Dung", received_at=datetime(2026, 2, 26, 10, 0, tzinfo=VN_TZ))
    )
    return {"due_soon": due_soon.uuid, "waiting": waiting.uuid, "on_track": on_track.uuid, "overdue": overdue.uuid}


def shown_uuids(qtbot: Any, window: MainWindow, queue: str) -> set[str]:
    window.rail.buttons[queue].click()
    assert window.workspace.currentWidget() is window.queue_panel
    assert window.queue_key() == queue and window.rail.current() == queue
    qtbot.waitUntil(lambda: not window.model.loading)
    return {v.uuid for v in window.model.rows()}


def test_work_queues_on_the_rail(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    ids = seed_queue(services)
    window = MainWindow(runner, open_documents=False)
    qtbot.addWidget(window)
    window.show()
    window.set_services(services)
    qtbot.waitUntil(lambda: window.rail.text("today") == "Hôm nay (3)")
    assert [window.rail.text(key) for key in ("today", "due_soon", "overdue", "waiting")] == [
        "Hôm nay (3)",
        "Sắp đến hạn (1)",
        "Quá hạn (1)",
        "Chờ bổ sung (1)",
    ]
    assert shown_uuids(qtbot, window, "today") == {ids["due_soon"], ids["waiting"], ids["on_track"]}
    assert shown_uuids(qtbot, window, "due_soon") == {ids["due_soon"]}
    assert shown_uuids(qtbot, window, "overdue") == {ids["overdue"]}
    overdue_row = window.model.index(0, 3)
    assert window.model.data(overdue_row).startswith("Quá hạn")
    assert window.model.data(overdue_row, Qt.ItemDataRole.ForegroundRole).color().name() == "#b00020"
    assert shown_uuids(qtbot, window, "waiting") == {ids["waiting"]}


def test_search_without_diacritics_then_enter_opens(qtbot: Any, window: MainWindow, services: Services) -> None:
    seed_queue(services)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.table.setFocus()
    QTest.keyClick(window, Qt.Key.Key_F3)
    assert window.search_edit.hasFocus()
    type_text(window.search_edit, "le thi binh")
    press_enter(window.search_edit)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 and not window.model.loading)
    assert window.queue_key() == "search" and window.rail.current() is None
    assert window.model.dossier_at(0).applicant_name == "Lê Thị Bình"
    with qtbot.waitSignal(window.sig_dossier_opened, timeout=5000) as opened:
        press_enter(window.table)
    screen = opened.args[0]
    qtbot.waitUntil(lambda: screen.bundle() is not None)
    assert screen.bundle().state.applicant_name == "Lê Thị Bình"


def test_search_by_identifier_phone_and_code(qtbot: Any, window: MainWindow, services: Services) -> None:
    code = services.intake.accept(person_form(MARRIAGE)).code
    assert code is not None
    for text in ("079190012345", "0903123456", code):
        window.search_edit.clear()
        type_text(window.search_edit, text)
        press_enter(window.search_edit)
        qtbot.waitUntil(lambda: window.model.rowCount() == 1 and not window.model.loading)
        assert window.model.dossier_at(0).code == code


def test_model_loads_pages_not_all_rows(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    for i in range(5):
        services.intake.accept(person_form(MARRIAGE, phone=f"090312345{i}"))
    model = DossierTableModel(runner, page_size=2)
    model.set_source(services.queue.list_today, services.queue.lateness_of)
    qtbot.waitUntil(lambda: not model.loading)
    assert model.rowCount() == 2
    assert model.canFetchMore()
    model.fetchMore()
    qtbot.waitUntil(lambda: not model.loading)
    assert model.rowCount() == 4
    model.fetchMore()
    qtbot.waitUntil(lambda: not model.loading)
    assert model.rowCount() == 5
    assert not model.canFetchMore()
    assert len({v.uuid for v in model.rows()}) == 5


def test_catalogue_tab_shows_procedures_and_papers(qtbot: Any, window: MainWindow) -> None:
    catalogue = window.catalogue
    qtbot.waitUntil(lambda: catalogue.model.rowCount() > 0)
    names = [catalogue.model.procedure_at(r).name for r in range(catalogue.model.rowCount())]
    assert "Đăng ký khai sinh" in names
    assert window.workspace.tabText(window.workspace.indexOf(catalogue)) == "Danh mục thủ tục"
    with qtbot.waitSignal(catalogue.sig_loaded, timeout=3000):
        type_text(catalogue.search, "khai sinh")
    assert catalogue.model.rowCount() == 1
    row = [catalogue.model.index(0, c).data() for c in range(5)]
    assert row[0] == "1.001193"
    assert row[1] == "Đăng ký khai sinh"
    assert row[3] == "Trong ngày (nhận trước 15:00)"
    assert row[4] == "Không thu"
    papers = [catalogue.papers.item(r, 0).text() for r in range(catalogue.papers.rowCount())]
    assert papers[0] == "Tờ khai đăng ký khai sinh"


def test_calendar_tab_shows_2026_and_an_estimated_year(qtbot: Any, window: MainWindow) -> None:
    calendar = window.calendar
    qtbot.waitUntil(lambda: calendar.table.rowCount() > 0)
    assert calendar.year.value() == 2026
    rows = [[calendar.table.item(r, c).text() for c in range(4)] for r in range(calendar.table.rowCount())]
    assert any("Tết" in name for *_rest, name in rows)
    assert ["17/02/2026", "Thứ Ba", "Ngày nghỉ"] in [r[:3] for r in rows]  # Tết Nguyên đán 2026
    # the swapped working Saturday of 2026 (domain.md §7)
    assert ["10/01/2026", "Thứ Bảy", "Ngày làm việc bù"] in [r[:3] for r in rows]
    assert "chính thức" in calendar.status.text()
    with qtbot.waitSignal(calendar.sig_loaded, timeout=3000):
        calendar.year.setValue(2027)
    assert "ƯỚC TÍNH" in calendar.status.text()


def test_status_bar(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.counter_label.text().startswith("Quầy 1"))
    assert window.counter_label.text() == "Quầy 1 – Trung tâm Phục vụ hành chính công phường Thử Nghiệm"
    assert window.date_label.text() == "Hôm nay: 02/03/2026"
    assert window.db_label.text() == "CSDL cục bộ: sẵn sàng (c.db)"


def test_f2_opens_one_intake_screen(qtbot: Any, window: MainWindow) -> None:
    QTest.keyClick(window, Qt.Key.Key_F2)
    first = window.intake
    assert isinstance(first, IntakeScreen)
    assert window.workspace.currentWidget() is first
    QTest.keyClick(window, Qt.Key.Key_F2)
    assert window.intake is first
    assert [window.workspace.tabText(i) for i in range(window.workspace.count())].count("Tiếp nhận mới") == 1


def test_intake_outcome_refreshes_the_queue_and_opens_the_dossier(qtbot: Any, window: MainWindow) -> None:
    intake = window.open_intake()
    assert intake is not None
    type_text(intake.picker.edit, "ket hon")
    qtbot.waitUntil(lambda: intake.picker.match_names() != [])
    press_enter(intake.picker.edit)
    qtbot.waitUntil(lambda: intake.picker.procedure() is not None)
    type_text(intake.lines["identifier"], "079190012345")
    type_text(intake.lines["name"], PERSON_NAME)
    intake.papers.set_present(0, True)  # the declaration handed in
    with qtbot.waitSignal(intake.sig_outcome, timeout=5000):
        intake.accept_dossier()
    qtbot.waitUntil(lambda: window.rail.text("today") == "Hôm nay (1)")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    with qtbot.waitSignal(window.sig_dossier_opened, timeout=5000) as opened:
        intake.confirmation.open_button.click()
    assert isinstance(opened.args[0], DossierScreen)


def test_the_statistics_tab_shows_the_figures_and_follows_an_intake(
    qtbot: Any, window: MainWindow, services: Services
) -> None:
    dashboard = window.dashboard
    assert dashboard is not None
    index = window.workspace.indexOf(dashboard)
    assert window.workspace.tabText(index) == "Thống kê"
    with qtbot.waitSignal(dashboard.sig_refreshed, timeout=10_000) as shown:
        window.workspace.setCurrentIndex(index)
    assert shown.args[0].received_today == 0 and dashboard.received_today.text() == "0"
    result = services.intake.accept(person_form(MARRIAGE))
    assert result.code
    with qtbot.waitSignal(dashboard.sig_refreshed, timeout=10_000) as again:
        window.refresh_queue()  # what the window does after an intake, a hand-over or a sync
    assert again.args[0].received_today == 1
    assert dashboard.received_today.text() == "1"
