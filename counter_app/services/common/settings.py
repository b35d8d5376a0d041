"""The installation's settings: declared once here, typed, with defaults; stored in the local database."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from counter_app.domain.deadlines import DueMode, OfficeHours
from counter_app.errors import ValidationError

BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)  # a serial code reader's speeds


@dataclass(frozen=True)
class Settings:
    agency_code: str = ""
    counter: int = 0
    clerk_name: str = ""
    # the day (Vietnam's date, ISO) the clerk of the day last confirmed clerk_name, on an installation without
    # accounts: the window asks the name again on the first start of another day (ui.shell.clerk_name_prompt)
    clerk_name_day: str = ""
    office_hours: str = "07:30-11:30,13:00-17:00"
    due_mode: str = "days"
    rule_set: str = "TT03-2025"
    place: str = "Thành phố Hồ Chí Minh"
    head_name: str = ""
    head_title: str = "Chủ tịch Ủy ban nhân dân phường"
    page_size: str = "A4"
    status_url_template: str = ""
    central_url: str = ""
    central_ca_file: str = ""  # the city's root certificate for the sync service (empty: the system's)
    contact_phone: str = ""
    book_volume: int = 1
    printer_receipt: str = ""
    printer_slip: str = ""
    printer_letter: str = ""
    backup_dir: str = ""  # empty: <data folder>/backups
    backup_keep: int = 14
    # a second destination (a USB drive, a network folder) that gets a verified copy of each backup; empty: none
    backup_second_dir: str = ""
    scanner_device: str = ""  # empty: asked once at the first scan, then remembered
    scan_source: str = "feeder"  # feeder | flatbed
    scan_mode: str = "Gray"  # Gray | Color
    scan_resolution: int = 200
    # a barcode/QR scanner set to USB-COM: its port (COM3, /dev/ttyACM0, /dev/serial/by-id/…) and speed;
    # empty: off (the scanner is a keyboard, read by the keyboard wedge, and cannot type Vietnamese letters)
    code_scanner_port: str = ""
    code_scanner_baud: int = 9600
    # a scanner in keyboard mode: the longest gap between two of its keys, and what it is set to send before
    # and after each code (taken off the code); people need 50 ms or more between keys even in a burst
    wedge_max_gap_ms: int = 30
    wedge_prefix: str = ""
    wedge_suffix: str = ""
    lock_minutes: int = 10  # the window locks after this long without a key press or a click (with accounts)
    # a database created for drills or training (init --drill, the demo profile): fixed at creation; only such a
    # database takes the drill clock once it has accounts, and every form it prints says "BẢN DIỄN TẬP"
    drill: bool = False

    @property
    def hours(self) -> OfficeHours:
        return OfficeHours.parse(self.office_hours)

    @property
    def mode(self) -> DueMode:
        return DueMode(self.due_mode)

    @property
    def is_configured(self) -> bool:
        return bool(self.agency_code) and self.counter > 0


SETTING_NAMES = tuple(f.name for f in fields(Settings))
_CHOICES = {
    "due_mode": ("days", "hours"),
    "rule_set": ("TT03-2025", "TT01-2018"),
    "page_size": ("A4", "A5"),
    "scan_source": ("feeder", "flatbed"),
    "scan_mode": ("Gray", "Color"),
}
SCAN_RESOLUTIONS = (75, 1200)

# Each setting's name as a clerk or an IT officer reads it (the window never shows a key).
SETTING_LABELS: dict[str, str] = {
    "agency_code": "Mã cơ quan",
    "counter": "Số quầy",
    "clerk_name": "Cán bộ tiếp nhận (khi không dùng tài khoản)",
    "clerk_name_day": "Ngày cán bộ tiếp nhận xác nhận họ tên",
    "office_hours": "Giờ làm việc",
    "due_mode": "Cách tính hạn trả",
    "rule_set": "Quy định áp dụng",
    "place": "Địa danh",
    "head_name": "Thủ trưởng cơ quan (Mẫu 04)",
    "head_title": "Chức vụ của thủ trưởng",
    "page_size": "Khổ giấy in",
    "status_url_template": "Địa chỉ tra cứu tình trạng hồ sơ",
    "central_url": "Địa chỉ máy chủ trung tâm",
    "central_ca_file": "Tệp chứng thư gốc của thành phố",
    "contact_phone": "Số điện thoại liên hệ (in trên Mẫu 02)",
    "book_volume": "Quyển sổ theo dõi",
    "printer_receipt": "Máy in giấy tiếp nhận",
    "printer_slip": "Máy in phiếu",
    "printer_letter": "Máy in thư xin lỗi, văn bản",
    "backup_dir": "Thư mục sao lưu",
    "backup_keep": "Số bản sao lưu giữ lại",
    "backup_second_dir": "Thư mục sao lưu thứ hai (ổ USB, thư mục mạng)",
    "scanner_device": "Máy quét giấy tờ của quầy",
    "scan_source": "Nguồn giấy khi quét",
    "scan_mode": "Chế độ màu khi quét",
    "scan_resolution": "Độ phân giải quét (dpi)",
    "code_scanner_port": "Cổng của máy quét mã (chế độ USB-COM)",
    "code_scanner_baud": "Tốc độ cổng của máy quét mã",
    "wedge_max_gap_ms": "Khoảng cách tối đa giữa hai phím của máy quét mã (ms)",
    "wedge_prefix": "Ký tự máy quét mã gửi trước mã",
    "wedge_suffix": "Ký tự máy quét mã gửi sau mã",
    "lock_minutes": "Tự khóa màn hình sau (phút)",
    "drill": "Cơ sở dữ liệu diễn tập",
}
# How each choice reads on screen.
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "due_mode": {"days": "Theo ngày làm việc", "hours": "Theo giờ làm việc"},
    "rule_set": {"TT03-2025": "Thông tư 03/2025", "TT01-2018": "Thông tư 01/2018"},
    "page_size": {"A4": "A4", "A5": "A5"},
    "scan_source": {"feeder": "Khay nạp giấy tự động", "flatbed": "Mặt kính"},
    "scan_mode": {"Gray": "Thang xám", "Color": "Màu"},
}


def setting_label(key: str) -> str:
    """The setting's Vietnamese name (the key itself only for a key that does not exist)."""
    return SETTING_LABELS.get(key, key)


def parse_setting(key: str, value: str) -> Any:
    """A setting's text as its typed value; refuses unknown keys and bad values with a Vietnamese message."""
    if key not in SETTING_NAMES:
        raise ValidationError("key", f"Không có thiết lập “{key}”. Các thiết lập: {', '.join(SETTING_NAMES)}.")
    default = getattr(Settings(), key)
    if isinstance(default, bool):  # before int: a bool is an int
        if value not in ("0", "1", "True", "False"):
            raise ValidationError(key, f"“{setting_label(key)}” chỉ nhận 0 hoặc 1.")
        return value in ("1", "True")
    if isinstance(default, int):
        try:
            number = int(value)
        except ValueError:
            raise ValidationError(key, f"“{setting_label(key)}” cần một số nguyên.") from None
        if key == "lock_minutes" and not 1 <= number <= 240:
            raise ValidationError(key, "Thời gian tự khóa phải từ 1 đến 240 phút.")
        if key == "backup_keep" and number < 1:
            raise ValidationError(key, "Cần giữ lại ít nhất 1 bản sao lưu.")
        if key == "scan_resolution" and not SCAN_RESOLUTIONS[0] <= number <= SCAN_RESOLUTIONS[1]:
            low, high = SCAN_RESOLUTIONS
            raise ValidationError(key, f"Độ phân giải quét phải từ {low} đến {high} dpi.")
        if key == "wedge_max_gap_ms" and not 5 <= number <= 45:
            raise ValidationError(key, "Khoảng cách giữa hai phím của máy quét phải từ 5 đến 45 ms.")
        if key == "code_scanner_baud" and number not in BAUD_RATES:
            raise ValidationError(key, f"Tốc độ cổng máy quét mã chỉ nhận: {', '.join(map(str, BAUD_RATES))}.")
        return number
    if key in _CHOICES and value not in _CHOICES[key]:
        shown = CHOICE_LABELS.get(key, {})
        raise ValidationError(
            key, f"“{setting_label(key)}” chỉ nhận: {', '.join(shown.get(c, c) for c in _CHOICES[key])}."
        )
    if key == "office_hours":
        return str(OfficeHours.parse(value))
    if key == "clerk_name_day" and value:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValidationError(key, f"“{setting_label(key)}” cần một ngày dạng YYYY-MM-DD.") from None
    if key == "central_url":
        from counter_app.sync.central_url import central_url_setting

        return central_url_setting(value)  # refuses a password in it: passwords live in the keyring only
    return value


def settings_from_store(stored: dict[str, str]) -> Settings:
    from counter_app.sync.central_url import without_password

    settings = Settings()
    values: dict[str, Any] = {
        # an address stored before passwords were refused there is read without its password, not refused
        k: without_password(v) if k == "central_url" else parse_setting(k, v)
        for k, v in stored.items()
        if k in SETTING_NAMES
    }
    return replace(settings, **values)
