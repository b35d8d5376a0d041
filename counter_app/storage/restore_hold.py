"""The hold on a database restored from a backup, until a sync has taken back what its counter recorded since.

A backup is older than the last sync. Until the counter's own events recorded after the backup come back from the
central (sync.own_history), any event written here would fork the counter's chain — the central would refuse every
later sync — and any number issued could be one already printed. So BackupService.restore marks the restored file
(when it syncs with a central), EventRepository refuses to write an event of the counter while the mark is there
and a central is configured, and own_history.recover lifts it once the local chain has caught up with the central's.
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from counter_app.errors import RuleError
from counter_app.storage.models import SettingRow

RESTORED_KEY = "restored_from_backup"  # the backup's creation moment, ISO 8601
CENTRAL_URL_KEY = "central_url"


class HeldAfterRestore(RuleError):
    """An event of the counter refused: the database was restored and has not synced since."""

    def __init__(self, backup_created: str) -> None:
        shown = backup_created
        with contextlib.suppress(ValueError):
            shown = datetime.fromisoformat(backup_created).strftime("%d/%m/%Y %H:%M")
        super().__init__(
            f"Cơ sở dữ liệu này vừa được phục hồi từ bản sao lưu tạo lúc {shown}: hãy đồng bộ với máy chủ trung "
            "tâm (nút “Đồng bộ ngay” hoặc lệnh “counter-app sync”) trước khi ghi thêm. Lần đồng bộ đó lấy lại những "
            "gì quầy đã ghi sau khi sao lưu, để không cấp trùng số hồ sơ. Chưa có gì được ghi. Nếu không liên lạc "
            "được máy chủ, hãy báo quản trị viên.",
            detail="restored database on hold until a sync",
        )


def mark_file(path: Path, backup_created: str) -> bool:
    """Put the hold on a restored database file (closed, not yet in place) when it syncs with a central; returns
    whether it did."""
    connection = sqlite3.connect(path)
    try:
        row = connection.execute("SELECT value FROM setting WHERE key = ?", (CENTRAL_URL_KEY,)).fetchone()
        if row is None or not row[0]:
            return False
        with connection:
            connection.execute(
                "INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", (RESTORED_KEY, backup_created)
            )
        return True
    finally:
        connection.close()


def marked(session: Session) -> str | None:
    """The creation moment of the backup this database was restored from, while it is marked."""
    mark = session.get(SettingRow, RESTORED_KEY)
    return mark.value if mark is not None else None


def is_held(session: Session) -> bool:
    """Marked, and a central is configured (a counter that stopped syncing has nothing to wait for)."""
    central = session.get(SettingRow, CENTRAL_URL_KEY)
    return marked(session) is not None and central is not None and bool(central.value)


def check(session: Session) -> None:
    """Raise HeldAfterRestore while the database is held."""
    if is_held(session):
        raise HeldAfterRestore(marked(session) or "")


def lift(session: Session) -> bool:
    """Take the mark off (in the caller's transaction); returns whether there was one."""
    mark = session.get(SettingRow, RESTORED_KEY)
    if mark is None:
        return False
    session.delete(mark)
    return True
