"""FirstRunWizard: the questions asked once on a new installation, then the counter, its administrator account
and its backup passphrase set up from the answers."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
    QWizard,
)

from counter_app.domain.codes import Numbering, validate_agency_code
from counter_app.domain.deadlines import OfficeHours
from counter_app.errors import CounterError, ValidationError
from counter_app.services.accounts.clerk_accounts import clean_name
from counter_app.services.common.settings import Settings, parse_setting
from counter_app.services.installation.counter_profile import FirstRunAnswers
from counter_app.ui.admin.first_run_pages import AdminAnswers, AdminPage, BackupPassphrasePage, FieldPage
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.errors import show_error

if TYPE_CHECKING:
    from counter_app.services.registry import Services

log = logging.getLogger(__name__)

PRINTER_KEYS = (
    ("printer_receipt", "Máy in giấy tiếp nhận"),
    ("printer_slip", "Máy in phiếu"),
    ("printer_letter", "Máy in thư xin lỗi, văn bản"),
)
NO_PRINTER = "(máy in mặc định của hệ thống)"


class AgencyPage(FieldPage):
    def __init__(self) -> None:
        super().__init__("Cơ quan", "Tên cơ quan và mã định danh điện tử theo QCVN 102:2016/BTTTT.")
        self.name_edit = QLineEdit(placeholderText="Ví dụ: Ủy ban nhân dân phường Bến Thành")
        self.code_edit = QLineEdit(placeholderText="Ví dụ: 000.17.22.H56")
        self.field_row("Tên cơ quan", self.name_edit, "agency_name")
        self.field_row("Mã định danh điện tử", self.code_edit, "agency_code")

    def check(self) -> None:
        if not self.name_edit.text().strip():
            raise ValidationError("agency_name", "Cần nhập tên cơ quan.")
        validate_agency_code(self.code_edit.text())


class PlacePage(FieldPage):
    def __init__(self) -> None:
        super().__init__("Cơ quan chủ quản và địa danh", "In ở đầu và cuối các giấy tờ.")
        self.parent_edit = QLineEdit(placeholderText="Ví dụ: UBND PHƯỜNG BẾN THÀNH")
        self.place_edit = QLineEdit(Settings().place)
        self.field_row("Cơ quan chủ quản", self.parent_edit, "parent_authority")
        self.field_row("Địa danh", self.place_edit, "place")

    def check(self) -> None:
        if not self.place_edit.text().strip():
            raise ValidationError("place", "Cần nhập địa danh (ghi ở dòng ngày tháng của giấy tờ).")


class CounterPage(FieldPage):
    def __init__(self) -> None:
        super().__init__("Quầy và mã hồ sơ", "Số quầy của máy này và độ dài các số trong mã hồ sơ.")
        self.counter_spin = QSpinBox(minimum=1, maximum=99, value=1)
        self.counter_digits = QComboBox()
        self.counter_digits.addItems(["1", "2"])
        self.number_digits = QComboBox()
        self.number_digits.addItems(["3", "4"])
        self.field_row("Số quầy", self.counter_spin, "counter")
        self.field_row("Số chữ số của số quầy", self.counter_digits, "counter_digits")
        self.field_row("Số chữ số của số thứ tự", self.number_digits, "number_digits")
        note = QLabel(
            "Lưu ý: độ dài số quầy và số thứ tự được cố định một lần cho cả cơ quan và không thể đổi sau này, "
            "vì đổi có thể làm trùng mã hồ sơ. Chọn 2 chữ số cho số quầy nếu cơ quan có từ 10 quầy trở lên, "
            "4 chữ số cho số thứ tự nếu một quầy có thể nhận trên 999 hồ sơ một ngày."
        )
        note.setWordWrap(True)
        note.setObjectName("hint")
        self.form.addRow(note)

    def numbering(self) -> Numbering:
        return Numbering(int(self.counter_digits.currentText()), int(self.number_digits.currentText()))

    def check(self) -> None:
        try:
            self.numbering().check_counter(self.counter_spin.value())
        except ValidationError as exc:
            raise ValidationError("counter", exc.message) from None


class HoursPage(FieldPage):
    def __init__(self) -> None:
        super().__init__("Giờ làm việc", "Dùng để tính ngày hẹn trả kết quả.")
        self.hours_edit = QLineEdit(Settings().office_hours)
        self.field_row("Giờ làm việc", self.hours_edit, "office_hours")
        hint = QLabel("Các buổi cách nhau bởi dấu phẩy, ví dụ: 07:30-11:30,13:00-17:00")
        hint.setObjectName("hint")
        self.form.addRow(hint)

    def check(self) -> None:
        OfficeHours.parse(self.hours_edit.text())


class HeadPage(FieldPage):
    def __init__(self) -> None:
        super().__init__("Thủ trưởng cơ quan", "Người ký thư xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04).")
        self.head_name_edit = QLineEdit()
        self.head_title_edit = QLineEdit(Settings().head_title)
        self.field_row("Họ và tên", self.head_name_edit, "head_name")
        self.field_row("Chức vụ", self.head_title_edit, "head_title")

    def check(self) -> None:
        if not self.head_name_edit.text().strip():
            raise ValidationError("head_name", "Cần nhập họ tên thủ trưởng cơ quan.")
        if not self.head_title_edit.text().strip():
            raise ValidationError("head_title", "Cần nhập chức vụ của thủ trưởng cơ quan.")


def printer_combo(current: str = "") -> QComboBox:
    """The printers of this machine; the first item (empty value) is the system's default printer."""
    combo = QComboBox()
    combo.addItem(NO_PRINTER, "")
    for name in QPrinterInfo.availablePrinterNames():
        combo.addItem(name, name)
    if current and combo.findData(current) < 0:
        combo.addItem(current, current)  # remembered but not installed now: kept, not silently dropped
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


class PrintersPage(FieldPage):
    def __init__(self) -> None:
        super().__init__("Máy in", "Không bắt buộc: có thể chọn sau trong Thiết lập.")
        self.combos: dict[str, QComboBox] = {}
        for key, title in PRINTER_KEYS:
            self.combos[key] = printer_combo()
            self.field_row(title, self.combos[key], key)


class CentralPage(FieldPage):
    def __init__(self) -> None:
        super().__init__(
            "Đồng bộ với thành phố",
            "Không bắt buộc: để trống nếu quầy chưa đồng bộ. Quầy đồng bộ qua dịch vụ đồng bộ của thành phố, bằng "
            "thông tin xác thực do quản trị viên thành phố cấp.",
        )
        self.url_edit = QLineEdit(placeholderText="https://máy-chủ:cổng")
        self.credential_edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.credential_edit.setPlaceholderText("Dán dòng “cc1.…” do quản trị viên thành phố cấp")
        self.field_row("Địa chỉ dịch vụ đồng bộ", self.url_edit, "central_url")
        self.field_row("Thông tin xác thực đồng bộ", self.credential_edit, "sync_credential")
        hint = QLabel("Thông tin xác thực được lưu trong kho khóa của hệ thống, không lưu trong cơ sở dữ liệu.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        self.form.addRow(hint)

    def check(self) -> None:
        # a postgresql:// address is refused here, with the reason: counters sync only through the service
        parse_setting("central_url", self.url_edit.text())
        if self.url_edit.text().strip() and not self.credential_edit.text().strip():
            raise ValidationError("sync_credential", "Cần dán thông tin xác thực đồng bộ do quản trị viên cấp.")


def set_up_counter(services: Services, answers: FirstRunAnswers, admin: AdminAnswers | None) -> Settings:
    """Runs in the write worker: the counter, then its administrator (signed in), then the backup passphrase.

    Each step is skipped when done already, so Finish after a refusal picks up where the last attempt stopped.
    """
    settings = services.settings.apply_first_run(answers)
    if admin is not None:
        if not services.accounts.accounts_exist():
            services.accounts.add_user(
                admin.name, "admin", admin.password, full_name=admin.full_name, title=admin.title
            )
        services.accounts.sign_in(admin.name, admin.password)
        services.backup.set_recovery_passphrase(admin.passphrase)
    return settings


class FirstRunWizard(QWizard):
    """Asked once on a real installation; Finish sets the counter up in the write worker."""

    sig_configured = Signal(object)
    """The counter was set up: the new Settings."""

    def __init__(self, services: Services, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Thiết lập quầy lần đầu")
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.setButtonText(QWizard.WizardButton.NextButton, "Tiếp >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< Quay lại")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Hoàn tất")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Để sau")
        self._services = services
        self._runner = runner
        self._saving = False
        self.agency_page = AgencyPage()
        self.place_page = PlacePage()
        self.counter_page = CounterPage()
        self.hours_page = HoursPage()
        self.head_page = HeadPage()
        self.printers_page = PrintersPage()
        self.central_page = CentralPage()
        # a fresh installation is never left without an account or a recovery key; an installation that has
        # accounts already (made on the command line) keeps them, and its administrator sets the passphrase
        self.admin_page: AdminPage | None = None if services.accounts.accounts_exist() else AdminPage()
        self.backup_page = BackupPassphrasePage() if self.admin_page is not None else None
        for page in (
            self.agency_page,
            self.place_page,
            self.counter_page,
            self.hours_page,
            self.head_page,
            self.printers_page,
            self.central_page,
            self.admin_page,
            self.backup_page,
        ):
            if page is not None:
                self.addPage(page)

    def answers(self) -> FirstRunAnswers:
        numbering = self.counter_page.numbering()
        settings: list[tuple[str, str]] = [
            ("place", self.place_page.place_edit.text().strip()),
            ("office_hours", self.hours_page.hours_edit.text().strip()),
            ("head_name", " ".join(self.head_page.head_name_edit.text().split())),
            ("head_title", " ".join(self.head_page.head_title_edit.text().split())),
        ]
        settings += [(key, str(combo.currentData() or "")) for key, combo in self.printers_page.combos.items()]
        central = self.central_page.url_edit.text().strip()
        if central:
            settings.append(("central_url", central))
        return FirstRunAnswers(
            agency_code=validate_agency_code(self.agency_page.code_edit.text()),
            agency_name=" ".join(self.agency_page.name_edit.text().split()),
            counter=self.counter_page.counter_spin.value(),
            counter_digits=numbering.counter_digits,
            number_digits=numbering.number_digits,
            parent_authority=" ".join(self.place_page.parent_edit.text().split()),
            settings=tuple(settings),
            credential=self.central_page.credential_edit.text().strip(),
        )

    def admin_answers(self) -> AdminAnswers | None:
        if self.admin_page is None or self.backup_page is None:
            return None
        page = self.admin_page
        return AdminAnswers(
            name=clean_name(page.name_edit.text()),
            full_name=" ".join(page.full_name_edit.text().split()),
            title=" ".join(page.title_edit.text().split()),
            password=page.password_edit.text(),
            passphrase=self.backup_page.passphrase_edit.text(),
        )

    def accept(self) -> None:
        """Finish: the wizard stays open until the counter is set up, so a refusal can be corrected."""
        page = self.currentPage()
        if self._saving or not isinstance(page, FieldPage) or not page.validatePage():
            return
        if self.currentId() != self.pageIds()[-1]:
            self.next()  # the questions after this page are still to be answered
            return
        self._saving = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self._runner.run_serial(
            set_up_counter,
            self._services,
            self.answers(),
            self.admin_answers(),
            on_done=self._on_saved,
            on_error=self._on_failed,
        )

    def _on_saved(self, settings: object) -> None:
        self._saving = False
        log.info("counter set up by the first-run wizard")
        emit(self.sig_configured, settings)
        super().accept()

    def _on_failed(self, exc: object) -> None:
        self._saving = False
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        if isinstance(exc, ValidationError):
            for page_id in self.pageIds():
                page = self.page(page_id)
                if isinstance(page, FieldPage) and exc.field in set(page.errors.keys()):
                    while self.currentId() > page_id:
                        self.back()
                    page.errors.show({exc.field: exc.message})
                    return
        show_error(self, exc if isinstance(exc, BaseException) else CounterError(str(exc)))
