"""What the window's sync field shows: the last sync, the unsent events, whether a central is set and may be used."""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.domain.roles import Permission
from counter_app.services.common.context import ServiceContext
from counter_app.services.syncing.sync_runs import SyncService
from counter_app.sync.report import SyncReport

__all__ = ["HELD_TEXT", "SyncReport", "SyncStatus", "SyncStatusService"]  # SyncReport: what sync_now returns

HELD_TEXT = "Vừa phục hồi từ bản sao lưu: cần đồng bộ trước khi ghi"


@dataclass(frozen=True)
class SyncStatus:
    last_text: str
    pending: int
    central_set: bool
    may_sync: bool
    on_hold: bool = False  # restored from a backup: nothing is written before a sync


class SyncStatusService:
    def __init__(self, context: ServiceContext, sync: SyncService) -> None:
        self.context = context
        self.sync = sync

    def get_status(self) -> SyncStatus:
        """The last sync, the unsent events, whether a central is set and the signed-in role may sync."""
        last = self.sync.last_sync()
        if last is None:
            text = "Đồng bộ lần cuối: chưa đồng bộ"
        else:
            text = f"Đồng bộ lần cuối: {last.at:%d/%m/%Y %H:%M}" + ("" if last.ok else " (không thành công)")
        on_hold = self.sync.on_hold()
        return SyncStatus(
            HELD_TEXT if on_hold else text,
            self.sync.pending_count(),
            bool(self.context.settings().central_url),
            self.context.may(Permission.SYNC),
            on_hold,
        )
