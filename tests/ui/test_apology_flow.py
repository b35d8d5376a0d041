"""The late-cases panel: the day-start prompt, the apology with its Mẫu 04, and the refusal of a second one."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate
from ui.ui_support import AGENCY, AGENCY_NAME, person_form

from counter_app.bootstrap import Services
from counter_app.domain.clock import VN_TZ
from counter_app.errors import RuleError, ValidationError
from counter_app.ui.dossier.late_panel import LatePanel
from counter_app.ui.qt.task_runner import TaskRunner

XNHN = "DEMO.XNHN"  # Xác nhận tình trạng hôn nhân: 3 working days (demo catalogue)


def _late_dossier(services: Services) -> str:
    # received Mon 23/02/2026 10:00, 3 working days -> due Thu 26/02 17:00; the clock stands at Mon 02/03 09:00
    received = datetime(2026, 2, 23, 10, 0, tzinfo=VN_TZ)
    result = services.intake.accept(person_form(XNHN, received_at=received))
    assert result.code is not None
    services.dossiers.transfer(result.code)
    return result.code


def _panel(qtbot: Any, services: Services, runner: TaskRunner) -> LatePanel:
    panel = LatePanel(runner)
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
    # due Thu 26/02, today Mon 02/03: the first working day after both is Tue 03/03/2026 (Fri 27/02 has passed)
    assert dialog.new_date.date().toString("dd/MM/yyyy") == "03/03/2026"
    assert dialog.new_date.minimumDate().toString("dd/MM/yyyy") == "03/03/2026"
    dialog.new_date.setDate(QDate(2026, 2, 27))  # the window cannot be made to offer a past day
    assert dialog.new_date.date().toString("dd/MM/yyyy") == "03/03/2026"
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


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(unicodedata.normalize("NFC", out).split())


def test_a_new_date_that_has_passed_is_refused_at_the_field(services: Services) -> None:
    code = _late_dossier(services)  # due Thu 26/02; today is Mon 02/03
    assert services.late.suggest_new_date(code) == date(2026, 3, 3)
    for passed in (date(2026, 2, 27), date(2026, 3, 2)):  # working days after the due day, but not after today
        with pytest.raises(ValidationError) as refused:
            services.late.reappoint(code, reason="Chờ xác minh", new_date=passed)
        assert refused.value.field == "new_date"
        assert "sau ngày hôm nay (02/03/2026)" in refused.value.message
        assert "03/03/2026" in refused.value.message  # the earliest day it may give
    assert services.dossiers.get_dossier(code).due_at == datetime(2026, 2, 26, 17, 0, tzinfo=VN_TZ)
    assert "dossier.reappointed" not in [e.kind for e in services.dossiers.timeline(code)]


def test_the_letter_is_headed_by_the_deciding_agency_and_prints_the_delivery_in_vietnamese(
    services: Services,
) -> None:
    # the desk is the ward's centre; the catalogue's deciding agency is "Ủy ban nhân dân phường", its parent
    services.setup.init_local(
        agency_code=AGENCY, agency_name=AGENCY_NAME, counter=1, parent_authority="UBND phường Thử Nghiệm"
    )
    services.setup.set_setting("head_name", "Lê Văn Trưởng")
    code = _late_dossier(services)
    services.late.reappoint(code, reason="Chờ xác minh", new_date=date(2026, 3, 3), delivered="post")
    text = _text(services.documents.render(code, "apology").path)

    # the letter opens with the agency that signs it, not with the desk that received the dossier
    assert text.startswith("Mẫu 04 ỦY BAN NHÂN DÂN PHƯỜNG THỬ NGHIỆM CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), text[:200]
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" not in text
    assert "Ủy ban nhân dân phường Thử Nghiệm đã tiếp nhận hồ sơ" in text
    head = text.index("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ")
    assert text.index("CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG", head) < text.index("Lê Văn Trưởng", head)
    assert "Hình thức gửi: Qua dịch vụ bưu chính công ích" in text
    assert "post" not in text


@pytest.mark.parametrize(
    ("delivered", "label"),
    [("in_person", "Trực tiếp"), ("phone", "Điện thoại"), ("email", "Thư điện tử")],
)
def test_every_delivery_method_is_printed_in_vietnamese(services: Services, delivered: str, label: str) -> None:
    code = _late_dossier(services)
    services.late.reappoint(code, reason="Chờ xác minh", new_date=date(2026, 3, 3), delivered=delivered)
    text = _text(services.documents.render(code, "apology").path)
    assert f"Hình thức gửi: {label}" in text
    assert delivered not in text


def test_one_letter_for_the_one_re_appointment(services: Services) -> None:
    code = _late_dossier(services)
    services.late.reappoint(code, reason="Chờ xác minh", new_date=date(2026, 3, 3))
    first = services.documents.render(code, "apology")
    with pytest.raises(RuleError, match="một lần"):
        services.late.reappoint(code, reason="Cần thêm thời gian", new_date=date(2026, 3, 4))
    again = services.documents.render(code, "apology", reason="lost")
    # printing again gives the same letter (same number, marked as a reprint), never a second letter
    assert (again.number, again.document_uuid, again.reprint) == (first.number, first.document_uuid, True)
    assert "BẢN IN LẠI" in _text(again.path)
    assert services.dossiers.get_dossier(code).due_at == datetime(2026, 3, 3, 17, 0, tzinfo=VN_TZ)
