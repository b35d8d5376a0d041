"""The `report` subcommand: the tracking book (Mẫu 07), the statistics and the late-case report, as PDF or XLSX."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from counter_app.cli.runner import Output, command, open_services
from counter_app.errors import ValidationError

KINDS = ("book", "stats", "late")
FORMATS = ("pdf", "xlsx")


def add_report_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", parents=[common], help="tracking book (Mẫu 07), statistics or late-case report")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD (included)")
    p.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD (included)")
    p.add_argument("--format", choices=FORMATS, help="default: from the --out file name, else pdf")
    p.add_argument("--out", help="file to write (stats without --out prints the figures)")
    p.add_argument("--field", help="book: only this field of procedures (lĩnh vực)")


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(name, f"Ngày “{text}” không hợp lệ: cần dạng YYYY-MM-DD, ví dụ 2026-03-01.") from None


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    return "xlsx" if args.out and Path(args.out).suffix.lower() == ".xlsx" else "pdf"


def _terminal_progress(done: int, total: int) -> None:
    sys.stderr.write(f"\rĐang xuất {done:,}/{total:,} dòng".replace(",", "."))
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _rate(fraction: float | None) -> str:
    """A rate with nothing to divide is "—", never 0% or 100% (domain.md §10)."""
    return "—" if fraction is None else f"{fraction:.1%}"


def _stats_text(stats: Any) -> str:
    return "\n".join(
        (
            f"Kỳ báo cáo: {stats.period.start:%d/%m/%Y} – {stats.period.end:%d/%m/%Y}",
            f"Tiếp nhận: {stats.received}; từ chối: {stats.refused}; yêu cầu bổ sung: {stats.supplements}",
            f"Đã giải quyết: {stats.resolved} (trước hạn {stats.resolved_early}, đúng hạn {stats.resolved_on_time}, "
            f"quá hạn {stats.resolved_late}); tỷ lệ đúng hạn {_rate(stats.on_time_rate)}",
            f"Rút hồ sơ: {stats.withdrawn}; đang giải quyết: {stats.pending}; đang quá hạn: {stats.overdue} "
            f"(chưa có phiếu xin lỗi: {stats.late_without_apology}); phiếu xin lỗi: {stats.apologies}",
            f"Phí, lệ phí đã thu: {f'{stats.fees:,}'.replace(',', '.')} đồng; "
            f"mức độ hài lòng: {_rate(stats.satisfaction)}",
        )
    )


@command("report")
def report(args: argparse.Namespace, out: Output) -> int:
    start, end = _day(args.date_from, "from"), _day(args.date_to, "to")
    fmt = _format(args)
    if args.field is not None and args.kind != "book":
        raise ValidationError("field", "Tham số --field chỉ dùng cho sổ theo dõi hồ sơ (report book).")
    if args.out is None and args.kind != "stats":
        raise ValidationError("out", "Cần chỉ tệp để ghi báo cáo: --out TỆP (.pdf hoặc .xlsx).")
    services = open_services(args)
    reports = services.reports
    if args.kind == "stats":
        stats = reports.get_stats(start, end)
        data = stats.as_dict()
        text = _stats_text(stats)
        if args.out:
            result = reports.export_stats(start, end, fmt, Path(args.out))
            data.update(format=result.format, path=str(result.path))
            text += f"\nĐã ghi báo cáo vào {result.path}"
        out.emit(text, data)
        return 0
    progress = _terminal_progress if sys.stderr.isatty() and not out.as_json else None
    result = reports.export(args.kind, start, end, fmt, Path(args.out), field=args.field, progress=progress)
    title = "Sổ theo dõi hồ sơ" if args.kind == "book" else "Báo cáo hồ sơ quá hạn"
    out.emit(f"Đã ghi {title} ({result.rows} hồ sơ) vào {result.path}", result.as_dict())
    return 0
