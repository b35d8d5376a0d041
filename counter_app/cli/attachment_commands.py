"""Subcommands of digitisation: attach files to a paper, scan a paper, list a dossier's attachments, scanners.

`attach CODE --paper N FILE...` combines the files in order into the paper's one PDF;
`attach CODE --paper N --exempt KIND [--note TEXT]` records that the paper is not digitised and why
(KIND: online, comparison, verification, classified — Thông tư 03/2025/TT-VPCP art. 5(2)).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from counter_app.cli.runner import Output, command, open_services
from counter_app.errors import ValidationError


class _IntermixedMixin(argparse.ArgumentParser):
    """Positionals on both sides of options: `attach CODE --paper 2 a.jpg b.png` (plain argparse stops at --paper)."""

    _inner = False

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._inner:  # parse_known_intermixed_args calls back into parse_known_args
            return super().parse_known_args(args, namespace)
        self._inner = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inner = False


def _intermixed_parser(sub: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    base = sub._parser_class  # the subparsers' own class (Vietnamese error messages), mixed in for this one
    sub._parser_class = type(f"Intermixed{base.__name__}", (_IntermixedMixin, base), {})
    try:
        return sub.add_parser(name, **kwargs)  # type: ignore[no-any-return]
    finally:
        sub._parser_class = base


def add_attachment_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = _intermixed_parser(sub, "attach", parents=[common], help="attach PDF/JPEG/PNG files to a paper as one PDF")
    p.add_argument("code")
    p.add_argument("--paper", type=int, required=True, help="the paper's number in the dossier's checklist (1-based)")
    p.add_argument("files", nargs="*", metavar="FILE", help="PDF, JPEG or PNG files, in page order")
    p.add_argument("--append", action="store_true", help="add the pages after the paper's current ones")
    p.add_argument(
        "--exempt",
        choices=("online", "comparison", "verification", "classified"),
        help="the paper is not digitised: filed online, shown for comparison only, internal verification, classified",
    )
    p.add_argument("--note", default="", help="a note to the exemption")

    p = sub.add_parser("scan", parents=[common], help="scan a paper of a dossier")
    p.add_argument("code")
    p.add_argument("--paper", type=int, required=True, help="the paper's number in the dossier's checklist (1-based)")
    p.add_argument("--device", help="SANE device name or WIA device id (default: the scanner_device setting)")
    p.add_argument("--source", choices=("feeder", "flatbed"), help="default: the scan_source setting")
    p.add_argument("--mode", choices=("Gray", "Color"), help="default: the scan_mode setting")
    p.add_argument("--resolution", type=int, help="dpi (default: the scan_resolution setting)")
    p.add_argument("--pages", type=int, help="pages to scan (flatbed default 1; feeder default: until empty)")
    p.add_argument("--append", action="store_true", help="add the pages after the paper's current ones")

    p = sub.add_parser("attachments", parents=[common], help="the papers of a dossier and what was digitised")
    p.add_argument("code")
    sub.add_parser("scanners", parents=[common], help="list the scanners this computer sees")


def _size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{max(1, round(size / 1000))} kB"


def _done(view: Any, code: str) -> str:
    paper = f"giấy tờ số {view.paper} “{view.paper_name}”"
    return f"Đã lưu {paper} của hồ sơ {code}: {view.pages} trang, {_size(view.size)}."


def _record(view: Any) -> dict[str, Any]:
    return {"paper": view.paper, "pages": view.pages, "sha256": view.sha256, "synced": view.synced}


def _progress(done: int, total: int, message: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{message}…" + " " * 10)
        sys.stderr.flush()


@command("attach")
def attach(args: argparse.Namespace, out: Output) -> int:
    if args.exempt and args.files:
        raise ValidationError("files", "Giấy tờ không số hóa thì không kèm tệp; bỏ các tệp hoặc bỏ --exempt.")
    if args.note and not args.exempt:
        raise ValidationError("note", "--note chỉ dùng cùng --exempt.")
    services = open_services(args)
    if args.exempt:
        view = services.attachments.exempt_paper(args.code, args.paper, args.exempt, args.note)
        out.emit(
            f"Đã ghi giấy tờ số {view.paper} “{view.paper_name}” không số hóa: {view.exempt_label}.",
            {"paper": view.paper, "exempt": view.exempt_reason, "note": view.exempt_note},
        )
        return 0
    if not args.files:
        raise ValidationError("files", "Cần ít nhất một tệp (PDF, JPEG hoặc PNG), hoặc --exempt với lý do.")
    view = services.attachments.add_files(
        args.code, args.paper, [Path(f) for f in args.files], append=args.append, progress=_progress
    )
    out.emit(_done(view, args.code), _record(view))
    return 0


@command("scan")
def scan(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    view = services.attachments.scan_paper(
        args.code,
        args.paper,
        device=args.device,
        source=args.source,
        mode=args.mode,
        resolution=args.resolution,
        pages=args.pages,
        append=args.append,
        progress=_progress,
    )
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    out.emit(_done(view, args.code), _record(view))
    return 0


@command("attachments")
def attachments(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    papers = services.attachments.checklist(args.code)
    lines = []
    for p in papers:
        a = p.attachment
        if p.missing:
            state = "còn thiếu"
        elif a is None:
            state = "chưa số hóa"
        elif a.exempt:
            state = f"không số hóa: {a.exempt_label}" + (f" ({a.exempt_note})" if a.exempt_note else "")
        else:
            synced = "đã gửi lên máy chủ" if a.synced else "chờ gửi lên máy chủ"
            if not a.file_here:  # digitised at another counter; fetched when the dossier is opened in the window
                synced = "trên máy chủ trung tâm, chưa tải về máy này"
            state = f"{a.pages} trang đã quét, {_size(a.size)}, {synced}"
        lines.append(f"{p.paper}. {p.name} ({p.originals} bản chính, {p.copies} bản sao): {state}")
    data = [_record(p.attachment) for p in papers if p.attachment is not None and not p.attachment.exempt]
    out.emit("\n".join(lines) or "Hồ sơ không có giấy tờ nào trong danh mục.", data)
    return 0


@command("scanners")
def scanners(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    devices = services.attachments.list_scanners()
    chosen = services.context.settings().scanner_device
    lines = [f"{d.name}  {d.label}" + ("  (đang dùng)" if d.name == chosen else "") for d in devices]
    out.emit(
        "\n".join(lines) or "Không tìm thấy máy quét nào.",
        [{"name": d.name, "label": d.label, "chosen": d.name == chosen} for d in devices],
    )
    return 0
