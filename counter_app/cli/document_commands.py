"""Subcommands that print and the late-case ones: print, late, apology."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from counter_app.cli.runner import Output, command, iso_minute, open_services, vn_moment
from counter_app.errors import ValidationError


@command("print")
def print_document(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    result = services.documents.render(
        args.code, args.kind, Path(args.out), reason=args.reason, reason_note=args.reason_text
    )
    services.accounts.record_export(f"document.{args.kind}", 1)  # a copy with personal data left the archive
    again = f" (BẢN IN LẠI lần {result.reprint_number})" if result.reprint else ""
    out.emit(
        f"Đã in {args.kind} số {result.number}{again} vào {result.path}",
        {
            "kind": args.kind,
            "number": result.number,
            "path": str(result.path),
            "reprint": result.reprint,
            "reprint_number": result.reprint_number,
        },
    )
    return 0


@command("late")
def late(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    views = services.late.list_late()
    lines = [
        f"{v.code}  {v.state.label.upper():<13} hẹn trả {vn_moment(v.due)}  "
        f"{'đã xin lỗi, hẹn lại' if v.apology else 'CHƯA CÓ PHIẾU XIN LỖI'}  {v.applicant_name}"
        for v in views
    ]
    out.emit(
        "\n".join(lines) or "Không có hồ sơ sắp đến hạn hoặc quá hạn.",
        [{"code": v.code, "due": iso_minute(v.due), "state": v.state.value, "apology": v.apology} for v in views],
    )
    return 0


@command("apology")
def apology(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    try:
        new_date = date.fromisoformat(args.new_date)
    except ValueError:
        raise ValidationError("new_date", "Ngày hẹn mới cần dạng YYYY-MM-DD, ví dụ 2026-03-12.") from None
    result = services.late.reappoint(args.code, reason=args.reason, new_date=new_date, delivered=args.delivered)
    path = ""
    if args.out:
        path = str(services.documents.render(args.code, "apology", Path(args.out)).path)
    out.emit(
        f"Đã ghi nhận phiếu xin lỗi số {result.letter_number}; hẹn trả mới {vn_moment(result.new_due)}"
        + (f"; đã in vào {path}" if path else ""),
        {
            "code": result.code,
            "letter": result.letter_number,
            "due": iso_minute(result.new_due),
            "previous_due": iso_minute(result.previous_due),
            "path": path or None,
        },
    )
    return 0
