"""The doctor's look at whether backups survive the PC: a recovery passphrase set, the second destination current,
the counter's audit key inside the latest backup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app.errors import RuleError
from counter_app.services.maintenance import backup_copies, backup_recovery

SET_KEY_ACTION = (
    "Người quản trị đặt mật khẩu sao lưu: “counter-app backup --set-passphrase”, và cất mật khẩu ở nơi an toàn "
    "ngoài máy này."
)

KEY_NOT_INCLUDED = (
    "Bản sao lưu này không chứa khóa kiểm toán của quầy (lúc sao lưu không đọc được khóa: kho khóa của hệ thống "
    "không mở được, hoặc khóa đã bị mất). Phục hồi trên máy khác, các sự kiện đã ghi sẽ không kiểm tra được bằng khóa."
)
KEY_NOT_INCLUDED_LATEST = (
    "Bản sao lưu gần nhất (lúc {taken}) không chứa khóa kiểm toán của quầy: phục hồi trên máy khác, các sự kiện đã "
    "ghi sẽ không kiểm tra được bằng khóa."
)
KEY_NOT_INCLUDED_ACTION = (
    "Sao lưu lại trong phiên đăng nhập của người dùng trên máy (nơi kho khóa của hệ thống hoặc kho bí mật đã được "
    "mở): “counter-app backup”, hoặc nút sao lưu trong cửa sổ ứng dụng."
)


@dataclass(frozen=True)
class Survival:
    """What stands between the backups and a lost PC (`summary` empty: nothing), with the doctor's details."""

    has_recovery_key: bool
    summary: str = ""
    action: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def survival(
    data_dir: Path,
    second_dir: str,
    latest: datetime | None,
    newest_in: Callable[[Path], datetime | None],
) -> Survival:
    """Check the recovery key file in `data_dir` and the second destination against the newest backup `latest`."""
    details: dict[str, Any] = {"recovery_key": None, "second_dir": second_dir or None, "second_latest": None}
    try:
        key = backup_recovery.load(data_dir)
    except RuleError as exc:
        return Survival(False, exc.message, SET_KEY_ACTION, details)
    if key is None:
        return Survival(
            False,
            "Bản sao lưu được mã hóa bằng khóa chỉ có trên máy này: mất máy hoặc hỏng ổ đĩa thì không phục hồi được.",
            SET_KEY_ACTION,
            details,
        )
    details["recovery_key"] = key.fingerprint
    if not second_dir:
        return Survival(True, "", "", details)
    folder = Path(second_dir).expanduser()
    problem = backup_copies.unusable(folder)
    if problem:
        return Survival(
            True,
            f"{problem}.",
            "Cắm ổ USB hoặc kết nối thư mục mạng rồi chạy “counter-app backup”; hoặc sửa thiết lập backup_second_dir.",
            details,
        )
    newest = newest_in(folder)
    details["second_latest"] = newest.isoformat(timespec="seconds") if newest else None
    if latest is not None and (newest is None or newest < latest):
        return Survival(
            True,
            f"Nơi sao lưu thứ hai “{folder}” chưa có bản sao lưu mới nhất.",
            "Chạy “counter-app backup” khi ổ USB hoặc thư mục mạng đã kết nối.",
            details,
        )
    return Survival(True, "", "", details)
