"""The late-cases panel: the day-start prompt, the apology with its Mẫu 04, and the refusal of a second one."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from typing import Any

from ui.ui_support import person_form

from counter_app.bootstrap import Services
from counter_app.domain.clock import VN_TZ
from counter_app.ui.late_panel import LatePanel
from counter_app.ui.task_runner import TaskRunner

XNHN = "DEMO.XNHN"  # Xác nhận tình trạng hôn nhân: 3 working days (demo catalogue)


def _late_dossier(services: Services) -> str:
    # received Mon 23/02/2026 10:00, 3 working days -> due Thu 26/02 17:00; the clock stands at Mon 02/03 09:00
    received = datetime(2026, 2, 23, 10, 0, tzinfo=VN_TZ)
    result = services.intake.accept(person_form(XNHN, received_at=received))
    assert result.code is not None
    services.dossiers.transfer(result.code)
    return result.code


def _panel(qtbot: Any, services: Services, runner: TaskRunner) -> LatePanel:
    panel = LatePanel(runner, prompt_boxes=False)
    qtbot.addWidget(panel)
    return panel


def test_prompt_lists_the_overdue_dossier_in_red_and_prompts_once_a_day(
    qtbot: Any, services: Services, runner: TaskRunner
) -> None:
    code = _late_dossier(services)
    on_track = services.intake.accept(person_form(XNHN)).code  # due Thu 05/03: not due soon on Mon 02/03
    panel = _panel(qtbot, services, runner)
    with qtbot.waitSignal(panel.sig_day_prompt, timeout=10_000) as prompt:
        panel.set_services(services)
    assert prompt.args == [1]
    assert [v.code for v in panel.views()] == [code]
    assert on_track not in [v.code for v in panel.views()]
    assert panel.table.item(0, 5).text() == "CHƯA CÓ"
    assert panel.table.item(0, 0).foreground().color().name() == "#b00020"
    # the same day, a second evaluation does not prompt again
    with qtbot.waitSignal(panel.sig_counts, timeout=10_000) as counts:
        panel.refresh()
    assert counts.args == [1, 1]
    assert panel._prompted_day == date(2026, 3, 2)


def test_apology_prints_mau_04_and_a_second_one_is_refused(
    qtbot: Any, services: Services, runner: TaskRunner, tmp_path: Any
) -> None:
    code = _late_dossier(services)
    panel = _panel(qtbot, services, runner)
    with qtbot.waitSignal(panel.sig_counts, timeout=10_000):
        panel.set_services(services)
    panel.table.selectRow(0)
    assert panel.apology_button.isEnabled()

    view = panel.views()[0]
    dialog = panel.open_apology(view)
    # the suggested date is the first working day after the appointment (Fri 27/02/2026)
    assert dialog.new_date.date().toString("dd/MM/yyyy") == "27/02/2026"
    dialog.new_date.setDate(dialog.new_date.date().addDays(4))  # Tue 03/03/2026, a working day after the due day
    dialog.reason.setPlainText("Chờ kết quả xác minh của Ủy ban nhân dân phường nơi cư trú trước đây")
    with qtbot.waitSignal(panel.sig_document_ready, timeout=30_000) as ready:
        dialog.ok_button.click()
    document = ready.args[0]
    assert document.kind == "apology"
    text = subprocess.run(["pdftotext", str(document.path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Chờ kết quả xác minh" in text
    assert "03 tháng 3 năm 2026" in text or "03/03/2026" in text
    qtbot.waitUntil(lambda: all(v.code != code or v.apology for v in panel.views()), timeout=10_000)
    assert services.dossiers.get_dossier(code).due_at == datetime(2026, 3, 3, 17, 0, tzinfo=VN_TZ)

    # a second re-appointment: refused in the dialog, which stays open, and the dossier is flagged
    second = panel.open_apology(view)
    second.reason.setPlainText("Cần thêm thời gian")
    second.ok_button.click()
    qtbot.waitUntil(lambda: "một lần" in second.general_error.text() and second.ok_button.isEnabled(), timeout=10_000)
    assert second.isVisible()
    kinds = [e.kind for e in services.dossiers.timeline(code)]
    assert kinds.count("dossier.reappointed") == 1
    assert "dossier.flagged" in kinds
