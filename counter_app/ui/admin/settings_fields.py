"""The settings screen's groups: which setting goes in which tab, and the widget that edits each kind of value."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from counter_app.services.common.settings import BAUD_RATES, CHOICE_LABELS, Settings, setting_label
from counter_app.ui.admin.first_run_wizard import printer_combo

PRINTERS = ("printer_receipt", "printer_slip", "printer_letter")
CHOICES = (*CHOICE_LABELS, "code_scanner_baud")


@dataclass(frozen=True)
class SettingsTab:
    title: str
    keys: tuple[str, ...]
    note: str = ""


# Every setting a clerk's desk or the IT officer needs, grouped as the screen shows them. Left out on purpose: the
# agency and counter (fixed at the first run, shown read-only), the drill flag (fixed at creation), the rule set
# and due mode (fixed by the city's rules) and the status page's address (announced by the sync service).
# Who: with accounts, every setting here is the administrator's (domain/roles: Permission.SETTINGS): each one
# changes what official forms say (contact phone, head, page size), legal deadlines (office hours), where the
# records go (central, credential, backups) or how the desk's devices feed the records (scanners). A clerk's own
# choices are remembered where they are made instead: the printer chosen when printing (remember_printer) and the
# document scanner asked at the first scan.
TABS = (
    SettingsTab(
        "Đơn vị và quầy",
        ("clerk_name", "place", "office_hours", "head_name", "head_title", "lock_minutes"),
    ),
    SettingsTab(
        "Giấy tờ in",
        ("page_size", "contact_phone", *PRINTERS),
        "Máy in chọn khi in một giấy tờ cũng được ghi nhớ ở đây cho loại giấy tờ đó.",
    ),
    SettingsTab(
        "Máy quét",
        (
            "scanner_device",
            "scan_source",
            "scan_mode",
            "scan_resolution",
            "code_scanner_port",
            "code_scanner_baud",
            "wedge_max_gap_ms",
            "wedge_prefix",
            "wedge_suffix",
        ),
        "Máy quét mã ở chế độ bàn phím: để trống cổng. Ở chế độ USB-COM, họ tên có dấu được đọc đúng. "
        "Các thiết lập của máy quét mã có hiệu lực từ lần mở chương trình sau.",
    ),
    SettingsTab(
        "Đồng bộ",
        ("central_url", "central_ca_file"),
        "Địa chỉ dịch vụ đồng bộ của thành phố có dạng https://máy-chủ:cổng.",
    ),
    SettingsTab(
        "Sao lưu",
        ("backup_dir", "backup_keep", "backup_second_dir"),
        "Cụm mật khẩu sao lưu và danh sách các bản sao lưu ở mục Sao lưu.",
    ),
)

PLACEHOLDERS = {
    "scanner_device": "Để trống: hỏi ở lần quét đầu tiên",
    "code_scanner_port": "Để trống: máy quét mã dùng chế độ bàn phím (COM3, /dev/ttyACM0…)",
    "central_url": "https://máy-chủ:cổng",
    "central_ca_file": "Để trống: dùng chứng thư của hệ thống",
    "backup_dir": "Để trống: thư mục sao lưu trong thư mục dữ liệu",
    "backup_second_dir": "Để trống: không sao chép thêm",
    "contact_phone": "Ví dụ: 028 3829 1234",
}


def choice_combo(key: str, current: str) -> QComboBox:
    """The allowed values of a choice setting, each under its Vietnamese name."""
    combo = QComboBox()
    if key == "code_scanner_baud":
        for rate in BAUD_RATES:
            combo.addItem(f"{rate} bit/giây", str(rate))
    else:
        for value, title in CHOICE_LABELS[key].items():
            combo.addItem(title, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.setAccessibleName(setting_label(key))
    return combo


def editor_for(key: str, settings: Settings) -> QWidget:
    """The widget that edits `key`, showing its current value."""
    current = str(getattr(settings, key))
    if key in PRINTERS:
        combo = printer_combo(current)
        combo.setAccessibleName(setting_label(key))
        return combo
    if key in CHOICES:
        return choice_combo(key, current)
    edit = QLineEdit(current, placeholderText=PLACEHOLDERS.get(key, ""))
    edit.setAccessibleName(setting_label(key))
    return edit


def value_of(widget: QWidget) -> str:
    """The text a setting's widget holds, as the services parse it."""
    if isinstance(widget, QComboBox):
        return str(widget.currentData() or "")
    if isinstance(widget, QLineEdit):
        return widget.text().strip()
    raise TypeError(type(widget).__name__)
