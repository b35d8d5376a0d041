"""The doctor's checks of the city's sync service: whether it answers at its address, and the clock against it."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import datetime
from typing import Any

from counter_app.domain.clock import MAX_CLOCK_SKEW
from counter_app.errors import CentralUnreachable
from counter_app.services.maintenance.doctor_report import OK, SKIPPED, UNKNOWN, WARNING, Check


def check_central(central_url: str, connect_timeout: float) -> Check:
    """Whether the city's sync service answers at its address (a postgresql:// one is refused, never dialled)."""
    from urllib.parse import urlsplit

    from counter_app.sync.central_url import SERVICE_ONLY_MESSAGE, is_database_address

    text = central_url.strip()
    if not text:
        return Check("central", SKIPPED, "Chưa cấu hình máy chủ trung tâm (thiết lập “central_url”).", "", {})
    if is_database_address(text):
        return Check(
            "central",
            WARNING,
            SERVICE_ONLY_MESSAGE,
            "Ghi địa chỉ https://… của dịch vụ đồng bộ ở Thiết lập › Đồng bộ, cùng thông tin xác thực do quản trị "
            "viên thành phố cấp.",
            {"refused": "postgresql", "reachable": False},
        )
    parts = urlsplit(text)
    host, port = parts.hostname or "", parts.port or 443
    details: dict[str, Any] = {"host": host, "port": port, "reachable": False}
    try:
        with socket.create_connection((host, port), timeout=connect_timeout):
            pass
    except OSError as exc:
        details["error"] = type(exc).__name__
        return Check(
            "central",
            WARNING,
            f"Không kết nối được dịch vụ đồng bộ {host}:{port}.",
            "Kiểm tra mạng và địa chỉ dịch vụ; hồ sơ vẫn được tiếp nhận và sẽ đồng bộ khi có mạng.",
            details,
        )
    details["reachable"] = True
    return Check("central", OK, f"Kết nối được dịch vụ đồng bộ {host}:{port}.", "", details)


def check_clock(
    central: Check, central_url: str, ca_file: str, connect_timeout: float, system_now: Callable[[], datetime]
) -> Check:
    """The machine's clock against the sync service's (the Date of its answer; no credential needed)."""
    if central.status == SKIPPED:
        return Check("clock", SKIPPED, "Chưa cấu hình máy chủ trung tâm để so giờ.")
    if not central.details.get("reachable"):
        return Check("clock", UNKNOWN, "Không so được giờ vì không kết nối được máy chủ trung tâm.")
    from counter_app.sync.service_client import service_clock

    try:
        central_now = service_clock(central_url, ca_file=ca_file or None, timeout=connect_timeout)
    except CentralUnreachable as exc:
        return Check(
            "clock",
            UNKNOWN,
            "Dịch vụ đồng bộ không trả lời để so giờ.",
            "Chạy “counter-app sync” để xem lỗi chi tiết.",
            {"error": exc.detail},
        )
    skew = system_now() - central_now
    seconds = round(skew.total_seconds(), 1)
    if abs(skew) > MAX_CLOCK_SKEW:
        return Check(
            "clock",
            WARNING,
            f"Đồng hồ của máy lệch {abs(seconds):.0f} giây so với máy chủ trung tâm.",
            "Chỉnh lại ngày giờ của máy (bật đồng bộ giờ tự động); đồng bộ bị từ chối khi lệch quá 5 phút.",
            {"skew_seconds": seconds},
        )
    return Check(
        "clock", OK, f"Giờ của máy khớp máy chủ trung tâm (lệch {seconds} giây).", "", {"skew_seconds": seconds}
    )
