"""The citizen's status page, `GET /s/<code>?k=<key>`: what the receipt's QR opens, served by the sync service.

It shows the stage in plain words, the appointment (and, when late, the apology's new one and its reason), what
is missing and where to collect the result; the applicant's name masked, never the identifier, address or phone.
The database answers through `central.public_status` (central migration c0006) with the session acting for no
counter: only the public fields, only for the right key. A wrong key and an unknown code give the same answer
("the counter has not sent it yet"), and an address that keeps missing is refused for a while (MissThrottle,
in this process only: several copies behind a load balancer each keep their own count).
"""

from __future__ import annotations

import html
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import psycopg
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from psycopg_pool import ConnectionPool

from counter_app.central.session import Connection, act_for_nobody
from counter_app.domain.clock import to_vn
from counter_app.domain.codes import looks_like_dossier_code
from counter_app.domain.status import Stage
from counter_app.domain.status_link import looks_like_status_key

log = logging.getLogger(__name__)

MAX_MISSES = 10  # per address and window: a citizen retyping a link never reaches it, a guesser soon does
MISS_WINDOW = 600.0  # seconds
MAX_ADDRESSES = 10_000  # addresses tracked at once; the oldest is forgotten first

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the address carries the dossier's key
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}


class MissThrottle:
    """At most MAX_MISSES misses per client address within MISS_WINDOW; the clock is injected for tests."""

    def __init__(
        self,
        max_misses: int = MAX_MISSES,
        window: float = MISS_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_misses = max_misses
        self.window = window
        self.clock = clock
        self._misses: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        misses = self._misses.get(address) or deque()
        while misses and misses[0] <= now - self.window:
            misses.popleft()
        return misses

    def wait_for(self, address: str) -> float:
        """Seconds this address must wait before it may ask again (0: it may ask now)."""
        with self._lock:
            now = self.clock()
            misses = self._recent(address, now)
            if len(misses) < self.max_misses:
                return 0.0
            return max(misses[0] + self.window - now, 1.0)

    def miss(self, address: str) -> None:
        with self._lock:
            now = self.clock()
            misses = self._recent(address, now)
            misses.append(now)
            self._misses[address] = misses
            self._misses.move_to_end(address)
            while len(self._misses) > MAX_ADDRESSES:
                self._misses.popitem(last=False)


@dataclass(frozen=True)
class PublicStatus:
    """What central.public_status returns for one dossier: nothing that identifies or locates the applicant."""

    code: str
    procedure_name: str
    receiving_unit: str
    received_at: datetime
    due_at: datetime | None
    original_due_at: datetime | None
    reappointed: bool
    reappoint_reason: str
    stage: str
    supplement_reason: str
    finished_at: datetime | None
    result_delivery: str
    applicant: str
    desk_phone: str


def find_status(conn: Connection, code: str, key: str) -> PublicStatus | None:
    act_for_nobody(conn)
    row = conn.execute(
        "SELECT procedure_name, receiving_unit, received_at, due_at, original_due_at, reappointed, "
        "reappoint_reason, stage, supplement_reason, finished_at, result_delivery, applicant, desk_phone "
        "FROM central.public_status(%s, %s)",
        [code, key],
    ).fetchone()
    if row is None:
        return None
    return PublicStatus(
        code.upper(),
        str(row[0]),
        str(row[1]),
        row[2],
        row[3],
        row[4],
        bool(row[5]),
        str(row[6] or ""),
        str(row[7]),
        str(row[8] or ""),
        row[9],
        str(row[10]),
        str(row[11] or ""),
        str(row[12] or ""),
    )


# --- the page --------------------------------------------------------------------------------------------

_STYLE = """
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans","Segoe UI",Roboto,Arial,sans-serif;font-size:16px;line-height:1.45;
color:#1a1a1a;background:#f3f5f7}
main{max-width:560px;margin:0 auto;padding:16px}
h1{font-size:20px;margin:0 0 4px}
.code{margin:0 0 12px;color:#555;font-size:14px;word-break:break-all}
.card{background:#fff;border-radius:8px;padding:14px;margin:0 0 12px;border:1px solid #dde3e8}
.stage{border-left:6px solid #1f6fb2}
.stage h2{margin:0 0 6px;font-size:22px}
.stage p{margin:6px 0 0}
.stage.need{border-left-color:#c77700}
.stage.ready{border-left-color:#2e7d32}
.stage.closed{border-left-color:#777}
dl{margin:0}
dt{font-size:13px;color:#555;margin-top:10px}
dt:first-child{margin-top:0}
dd{margin:2px 0 0;font-weight:600}
.late{border-left:6px solid #b3261e}
.late h2{font-size:17px;margin:0 0 6px}
.late p{margin:4px 0}
a{color:#1f6fb2}
footer{font-size:13px;color:#555;padding:4px 2px 16px}
"""


def _moment(value: datetime | None) -> str:
    return f"{to_vn(value):%d/%m/%Y %H:%M}" if value is not None else "—"


def _day(value: datetime | None) -> str:
    return f"{to_vn(value):%d/%m/%Y}" if value is not None else ""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _stage_words(status: PublicStatus) -> tuple[str, str, str]:
    """(css class, the stage in plain words, what it means for the citizen), as HTML."""
    unit = html.escape(status.receiving_unit)
    try:
        stage = Stage(status.stage)
    except ValueError:
        return "", "Đang giải quyết", ""
    if stage is Stage.RECEIVED:
        return "", "Đã tiếp nhận", "Hồ sơ đã được tiếp nhận và sẽ được chuyển đến cơ quan có thẩm quyền giải quyết."
    if stage is Stage.IN_PROCESSING:
        return "", "Đang giải quyết", "Cơ quan có thẩm quyền đang xem xét, giải quyết hồ sơ."
    if stage is Stage.FINANCIAL_OBLIGATION:
        return (
            "need",
            "Đang giải quyết",
            "Hồ sơ đang chờ thực hiện nghĩa vụ tài chính; xin liên hệ Bộ phận Một cửa để biết số tiền và cách nộp.",
        )
    if stage is Stage.SUPPLEMENT_REQUESTED:
        what = html.escape(status.supplement_reason) or "giấy tờ theo hướng dẫn của Bộ phận Một cửa"
        return (
            "need",
            "Cần bổ sung",
            f"Cần bổ sung: <strong id='missing'>{what}</strong>.<br>Xin mang giấy tờ bổ sung đến Bộ phận Một cửa "
            f"– {unit}. Thời hạn giải quyết tạm dừng cho đến khi nhận đủ.",
        )
    if stage is Stage.RESULT_READY:
        since = _day(status.finished_at)
        if status.result_delivery == "post":
            where = "Kết quả được gửi qua dịch vụ bưu chính công ích đến địa chỉ ông/bà đã đăng ký."
        else:
            where = (
                f"Mời ông/bà đến nhận kết quả tại Bộ phận Một cửa – {unit}"
                + (f", từ ngày {since}" if since else "")
                + ", trong giờ làm việc (thứ Hai đến thứ Sáu). Xin mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả."
            )
        return "ready", "Có kết quả", where
    if stage is Stage.RETURNED:
        return "closed", "Đã trả kết quả", "Kết quả đã được trả cho người nộp hồ sơ."
    if stage is Stage.WITHDRAWN:
        return "closed", "Đã rút hồ sơ", "Hồ sơ đã được rút theo đề nghị của người nộp."
    if stage is Stage.STOPPED:
        return "closed", "Đã dừng giải quyết", "Việc giải quyết hồ sơ đã dừng; xin liên hệ Bộ phận Một cửa."
    if stage is Stage.VOIDED:
        return "closed", "Đã hủy", "Hồ sơ đã bị hủy; xin liên hệ Bộ phận Một cửa."
    return "closed", "Không tiếp nhận", "Hồ sơ không được tiếp nhận."


def status_html(status: PublicStatus) -> str:
    css, words, meaning = _stage_words(status)
    rows = [
        ("Thủ tục", html.escape(status.procedure_name), ""),
        ("Nơi tiếp nhận", html.escape(status.receiving_unit), ""),
        ("Người nộp", html.escape(status.applicant), "applicant"),
        ("Tiếp nhận lúc", _moment(status.received_at), "received"),
        ("Hẹn trả kết quả", _moment(status.due_at), "appointment"),
    ]
    if status.stage == Stage.SUPPLEMENT_REQUESTED.value:
        rows[-1] = (
            "Hẹn trả kết quả",
            _moment(status.due_at) + " (sẽ lùi lại khi nhận đủ giấy tờ bổ sung)",
            "appointment",
        )
    items = "\n".join(
        f"<dt>{label}</dt><dd{f' id={chr(34)}{ident}{chr(34)}' if ident else ''}>{value}</dd>"
        for label, value, ident in rows
    )
    late = ""
    if status.reappointed:
        reason = html.escape(status.reappoint_reason)
        late = (
            '<section class="card late" id="late">\n<h2>Hồ sơ được hẹn lại – thư xin lỗi</h2>\n'
            f"<p>Hẹn ban đầu: {_moment(status.original_due_at)}</p>\n"
            f"<p>Hẹn mới: <strong>{_moment(status.due_at)}</strong></p>\n"
            + (f"<p>Lý do: {reason}</p>\n" if reason else "")
            + "<p>Cơ quan giải quyết xin lỗi ông/bà vì sự chậm trễ này.</p>\n</section>"
        )
    contact = ""
    if status.desk_phone:
        phone = html.escape(status.desk_phone)
        tel = html.escape("".join(ch for ch in status.desk_phone if ch.isdigit() or ch == "+"))
        contact = (
            f'<section class="card" id="contact">Điện thoại Bộ phận Một cửa: <a href="tel:{tel}">{phone}</a></section>'
        )
    body = (
        f"<h1>Tình trạng hồ sơ</h1>\n"
        f'<p class="code">Mã hồ sơ: {html.escape(status.code)}</p>\n'
        f'<section class="card stage {css}">\n<h2 id="stage">{words}</h2>\n<p id="meaning">{meaning}</p>\n</section>\n'
        f"{late}\n"
        f'<section class="card">\n<dl>\n{items}\n</dl>\n</section>\n'
        f"{contact}\n"
        "<footer>Thông tin được cập nhật mỗi khi quầy tiếp nhận đồng bộ với hệ thống của thành phố.</footer>"
    )
    return _page(f"Tình trạng hồ sơ {status.code}", body)


NOT_YET = _page(
    "Tình trạng hồ sơ",
    "<h1>Tình trạng hồ sơ</h1>\n"
    '<section class="card stage need">\n<h2 id="stage">Chưa có thông tin</h2>\n'
    '<p id="meaning">Hệ thống của thành phố chưa nhận được hồ sơ này. Quầy tiếp nhận sẽ gửi lên trong lần đồng bộ '
    "tới; xin xem lại sau. Nếu đã quá một ngày làm việc, xin kiểm tra lại mã QR trên Giấy tiếp nhận hồ sơ "
    "hoặc liên hệ Bộ phận Một cửa.</p>\n</section>",
)
BAD_LINK = _page(
    "Đường dẫn không hợp lệ",
    "<h1>Tình trạng hồ sơ</h1>\n"
    '<section class="card stage closed">\n<h2 id="stage">Đường dẫn không hợp lệ</h2>\n'
    '<p id="meaning">Xin quét lại mã QR trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.</p>\n</section>',
)


def _too_many(seconds: float) -> HTMLResponse:
    minutes = max(1, round(seconds / 60))
    page = _page(
        "Tạm ngừng tra cứu",
        "<h1>Tình trạng hồ sơ</h1>\n"
        '<section class="card stage closed">\n<h2 id="stage">Tạm ngừng tra cứu</h2>\n'
        f'<p id="meaning">Có quá nhiều lần tra cứu không đúng từ thiết bị này. Xin thử lại sau khoảng {minutes} '
        "phút.</p>\n</section>",
    )
    return HTMLResponse(page, status_code=429, headers=HEADERS | {"Retry-After": str(int(seconds) + 1)})


def add_status_page(app: FastAPI, pool: ConnectionPool[Connection], throttle: MissThrottle | None = None) -> None:
    """Serve the status page from this app (the sync service's own process)."""
    router = APIRouter()
    misses = throttle or MissThrottle()

    @router.get("/s/{code}", response_class=HTMLResponse, include_in_schema=False)
    def status_page(request: Request, code: str, k: Annotated[str, Query(max_length=64)] = "") -> HTMLResponse:
        address = request.client.host if request.client else "?"
        wait = misses.wait_for(address)
        if wait > 0:
            return _too_many(wait)
        if not looks_like_dossier_code(code) or not looks_like_status_key(k):
            misses.miss(address)
            return HTMLResponse(BAD_LINK, status_code=404, headers=HEADERS)
        try:
            with pool.connection() as conn:
                status = find_status(conn, code, k)
        except psycopg.OperationalError as exc:
            log.warning("central database unavailable for the status page: %s", type(exc).__name__)
            page = _page(
                "Tạm thời gián đoạn",
                '<h1>Tình trạng hồ sơ</h1>\n<section class="card stage closed">\n<h2 id="stage">Tạm thời gián '
                'đoạn</h2>\n<p id="meaning">Hệ thống đang bận, xin thử lại sau ít phút.</p>\n</section>',
            )
            return HTMLResponse(page, status_code=503, headers=HEADERS)
        if status is None:  # a wrong key and an unknown code: the same answer
            misses.miss(address)
            return HTMLResponse(NOT_YET, status_code=404, headers=HEADERS)
        return HTMLResponse(status_html(status), headers=HEADERS)

    app.include_router(router)
