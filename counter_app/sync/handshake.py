"""The start of every sync: protocol and schema versions both ways and the clocks (the service's hello gives them;
sync.service_client checks who the credential is)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from counter_app.domain.clock import MAX_CLOCK_SKEW, to_vn
from counter_app.errors import RuleError

# The protocol this client speaks; the central refuses clients below its `central.compat.min_client_protocol`.
SYNC_PROTOCOL = 1

UPDATE_APP_MESSAGE = (
    "Phiên bản ứng dụng này đã cũ so với máy chủ trung tâm; cần cập nhật ứng dụng lên phiên bản mới "
    "trước khi đồng bộ. Dữ liệu trên máy vẫn được giữ nguyên."
)


def check_schema(central_revision: str, known: Sequence[str]) -> None:
    """`known`: this client's central revisions, newest first. A newer central means this client is too old."""
    if central_revision == known[0]:
        return
    if central_revision in known:
        raise RuleError(
            "Cơ sở dữ liệu trung tâm chưa được nâng cấp lên phiên bản mà ứng dụng này cần; "
            "quản trị viên cần chạy “counter-app central init”.",
            detail=f"central={central_revision} client={known[0]}",
        )
    raise RuleError(UPDATE_APP_MESSAGE, detail=f"central={central_revision} client={known[0]}")


def check_clock(central_now: datetime, system_now: datetime) -> None:
    """Refuse when the machine's own clock (never the drill clock) is more than 5 minutes off the central's."""
    skew = to_vn(system_now) - to_vn(central_now)
    if abs(skew) > MAX_CLOCK_SKEW:
        minutes = int(abs(skew).total_seconds() // 60)
        direction = "nhanh" if skew > timedelta(0) else "chậm"
        raise RuleError(
            f"Đồng hồ của máy này {direction} {minutes} phút so với máy chủ trung tâm (cho phép lệch tối đa "
            f"{int(MAX_CLOCK_SKEW.total_seconds() // 60)} phút). Hãy chỉnh lại ngày giờ của máy rồi đồng bộ lại.",
            detail=f"skew={skew.total_seconds():.0f}s",
        )
