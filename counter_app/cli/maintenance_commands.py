"""Subcommands that look after the installation: backup (and the list of backups), restore and doctor.

They open the database without upgrading or seeding it (`bootstrap.build_maintenance`): a damaged file can
still be checked and replaced. `doctor` exits 0 when every check is ok or only warns, 4 when the database is
damaged (with the restore command to run), 1 on an unexpected error.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from counter_app.cli.runner import Output, command

STATUS_LABELS = {
    "ok": "[OK]       ",
    "warning": "[CẢNH BÁO] ",
    "problem": "[LỖI]      ",
    "unknown": "[?]        ",
    "skipped": "[BỎ QUA]   ",
}


def add_maintenance_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("backup", parents=[common], help="write an encrypted backup of the local database")
    p.add_argument("--to", help="folder for this one backup (default: the backup_dir setting; nothing is rotated)")
    p.add_argument("--passphrase-stdin", action="store_true", help="encrypt with a passphrase read from stdin")
    p.add_argument(
        "--set-passphrase",
        action="store_true",
        help="set the administrator's backup passphrase (read from stdin), then back up: from then on every backup, "
        "automatic ones too, needs no keyring and restores on any PC with that passphrase",
    )
    actions = p.add_subparsers(dest="backup_action", parser_class=type(p))  # none: write a backup
    actions.add_parser("list", parents=[common], help="list the backups with their state (changes nothing)")
    p = sub.add_parser("restore", parents=[common], help="replace the local database with a backup")
    p.add_argument("file")
    p.add_argument("--passphrase-stdin", action="store_true", help="the backup's passphrase, read from stdin")
    p.add_argument(
        "--bring-back",
        action="store_true",
        help="put back the counter's events the replaced database holds after the backup (when they continue it)",
    )
    sub.add_parser("doctor", parents=[common], help="check the installation (exit 4: damaged database)")


def _open_maintenance(args: argparse.Namespace) -> Any:
    from counter_app.bootstrap import build_maintenance
    from counter_app.paths import default_database, demo_database
    from counter_app.services.common.clock import DrillClock, SystemClock, parse_local_moment

    now_text = args.now or os.environ.get("COUNTER_APP_NOW")
    clock = DrillClock(parse_local_moment(now_text, "now")) if now_text else SystemClock()
    db_text = args.db or os.environ.get("COUNTER_APP_DB")
    db_path = Path(db_text) if db_text else (demo_database() if args.demo else default_database())
    maintenance = build_maintenance(db_path.expanduser().resolve(), clock)
    session = getattr(args, "session", None)
    if session is not None:  # the services check the signed-in role too, not only this command line
        maintenance.context.clerk = session.name
        maintenance.context.role = session.role.value
    return maintenance


def _read_passphrase(*, confirm: bool) -> str:
    """A terminal asks (twice for a new passphrase); otherwise the first line of stdin is the passphrase."""
    from counter_app.errors import ValidationError

    if sys.stdin.isatty():
        first = getpass.getpass("Mật khẩu sao lưu: ")
        if confirm and getpass.getpass("Nhập lại mật khẩu sao lưu: ") != first:
            raise ValidationError("passphrase", "Hai lần nhập mật khẩu sao lưu không giống nhau.")
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise ValidationError("passphrase", "Không đọc được mật khẩu sao lưu từ đầu vào chuẩn (stdin).")
    return line


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB"


def _list_backups(args: argparse.Namespace, out: Output) -> int:
    """`backup list`: the backups as the window's "Sao lưu" shows them, newest first."""
    from counter_app.cli.runner import vn_moment

    maintenance = _open_maintenance(args)
    try:
        overview = maintenance.backup.overview()
    finally:
        maintenance.close()
    lines = [f"Thư mục sao lưu: “{overview.folder}”."]
    if overview.second_folder is not None:
        lines[0] += f" Nơi thứ hai: “{overview.second_folder}”."
    for row in overview.rows:
        how = "mật khẩu sao lưu" if row.needs_passphrase else "khóa trong kho khóa"
        second = "" if row.second_copy is None else f"  bản sao thứ hai: {'có' if row.second_copy else 'KHÔNG CÓ'}"
        key = "  Khóa nhật ký: thiếu" if row.audit_key_missing else ""
        lines.append(f"{vn_moment(row.created)}  {_megabytes(row.size_bytes):>9}  {how}{second}{key}  {row.path.name}")
    if not overview.rows:
        lines.append("Chưa có bản sao lưu nào.")
    out.emit(
        "\n".join(lines),
        [
            {
                "path": str(row.path),
                "created": row.created,
                "bytes": row.size_bytes,
                "encryption": "passphrase" if row.needs_passphrase else "keyring",
                "second_copy_present": row.second_copy,
                "audit_key_missing": row.audit_key_missing,
            }
            for row in overview.rows
        ],
    )
    return 0


@command("backup")
def backup(args: argparse.Namespace, out: Output) -> int:
    from counter_app.errors import ValidationError

    if getattr(args, "backup_action", None) == "list":
        return _list_backups(args, out)
    setting = bool(getattr(args, "set_passphrase", False))
    if setting and args.passphrase_stdin:
        raise ValidationError(
            "passphrase", "Dùng --set-passphrase hoặc --passphrase-stdin, không dùng cả hai trong một lệnh."
        )
    passphrase = _read_passphrase(confirm=True) if args.passphrase_stdin or setting else None
    maintenance = _open_maintenance(args)
    try:
        if setting and passphrase is not None:
            maintenance.backup.set_recovery_passphrase(passphrase)
            passphrase = None  # the backup below is sealed with the recovery key just set
        result = maintenance.backup.create_backup(to_dir=Path(args.to) if args.to else None, passphrase=passphrase)
    finally:
        maintenance.close()
    for warning in result.warnings:
        sys.stderr.write(f"Cảnh báo: {warning}\n")
    info = result.info
    how = "mật khẩu sao lưu" if info.needs_passphrase else "khóa trong kho khóa của hệ thống"
    removed = f"; đã xóa {len(result.removed)} bản sao lưu cũ" if result.removed else ""
    extra = (
        " Đã đặt mật khẩu sao lưu: từ nay mọi bản sao lưu phục hồi được trên máy bất kỳ bằng mật khẩu này."
        if setting
        else ""
    )
    if result.attachments.copied:
        copied = result.attachments
        extra += f" Đã chép thêm {copied.copied} tệp giấy tờ đã quét ({_megabytes(copied.bytes_written)})."
    if result.second_copy:
        extra += f" Đã chép và kiểm tra bản sao tại “{result.second_copy}”."
    out.emit(
        f"Đã sao lưu vào “{info.path}” ({_megabytes(info.size_bytes)}, mã hóa bằng {how}){removed}.{extra}",
        {
            "path": str(info.path),
            "bytes": info.size_bytes,
            "plain_bytes": result.plain_bytes,
            "created": info.created,
            "encryption": "passphrase" if info.needs_passphrase else "keyring",
            "removed": [str(p) for p in result.removed],
            "seconds": round(result.seconds, 2),
            "passphrase_set": setting,
            "attachments_copied": result.attachments.copied,
            "attachments_bytes": result.attachments.bytes_written,
            "second_copy": str(result.second_copy) if result.second_copy else None,
            "audit_key": info.audit_key,
            "warnings": list(result.warnings),
        },
    )
    return 0


# A backup is older than the last sync: the next sync takes back what the counter recorded since (sync.own_history);
# until then a counter that syncs writes nothing (storage.restore_hold).
AFTER_RESTORE = (
    "Quầy đồng bộ với máy chủ trung tâm: chưa ghi được gì cho đến khi đồng bộ (counter-app sync, hoặc nút “Đồng bộ "
    "ngay”). Lần đồng bộ đó lấy lại những gì quầy đã ghi sau khi sao lưu, để không cấp trùng số."
)


@command("restore")
def restore(args: argparse.Namespace, out: Output) -> int:
    passphrase = _read_passphrase(confirm=False) if args.passphrase_stdin else None
    maintenance = _open_maintenance(args)
    try:
        result = maintenance.backup.restore(
            Path(args.file), passphrase=passphrase, bring_back=getattr(args, "bring_back", False)
        )
    finally:
        maintenance.close()
    kept = f" Cơ sở dữ liệu cũ được giữ tại “{result.set_aside}”." if result.set_aside else ""
    out.emit(
        f"Đã phục hồi “{result.db_path}” từ bản sao lưu tạo lúc {result.backup_created}.{kept}"
        + (f" {result.numbering_note}" if result.numbering_note else "")
        + _missing_text(result)
        + (f" Đã phục hồi {result.attachments.restored} tệp giấy tờ đã quét." if result.attachments.restored else "")
        + (f" {result.audit_key_note}" if result.audit_key_note else "")
        + (f" {AFTER_RESTORE}" if result.on_hold else ""),
        {
            "on_hold": result.on_hold,
            "db": str(result.db_path),
            "set_aside": str(result.set_aside) if result.set_aside else None,
            "backup_created": result.backup_created,
            "schema_revision": result.schema_revision,
            "agency_code": result.agency_code,
            "counter": result.counter,
            "bytes": result.plain_bytes,
            "seconds": round(result.seconds, 2),
            "numbers_from": result.numbers_from,
            "numbers_raised": result.numbers_raised,
            "numbering_note": result.numbering_note,
            "missing_events": result.missing_events,
            "missing_codes": list(result.missing_codes),
            "brought_back": result.brought_back,
            "re_entry_codes": list(result.re_entry_codes),
            "attachments_restored": result.attachments.restored,
            "attachments_unreadable": result.attachments.unreadable,
            "recovery_key_set": result.recovery_key_set,
            "audit_key": result.audit_key,
            "audit_key_note": result.audit_key_note,
            "vault_restored": result.vault_restored,
        },
    )
    return 0


def _missing_text(result: Any) -> str:
    """What the restore left out of the restored database, in Vietnamese."""
    if not result.missing_events:
        return ""
    codes = ", ".join(result.missing_codes) or "không có mã hồ sơ"
    text = (
        f" Cơ sở dữ liệu cũ có {result.missing_events} sự kiện ghi sau lần sao lưu mà bản phục hồi không có "
        f"(hồ sơ: {codes})."
    )
    if result.brought_back:
        text += f" Đã đưa lại {result.brought_back} sự kiện vào cơ sở dữ liệu."
    if result.re_entry_codes:
        text += f" Cần cán bộ giám sát nhập lại các hồ sơ: {', '.join(result.re_entry_codes)}."
    elif not result.brought_back:
        text += (
            " Nội dung của chúng vẫn còn trong tệp cơ sở dữ liệu cũ được giữ lại; lần đồng bộ tới lấy lại những gì "
            "máy chủ trung tâm đã nhận, các hồ sơ còn lại cần cán bộ giám sát nhập lại."
        )
    return text


@command("doctor")
def doctor(args: argparse.Namespace, out: Output) -> int:
    maintenance = _open_maintenance(args)
    try:
        report = maintenance.doctor.run()
    finally:
        maintenance.close()
    code = 4 if report.integrity_problem else 0
    lines = [f"Kiểm tra cài đặt — cơ sở dữ liệu “{maintenance.context.database.path}”"]
    for check in report.checks:
        lines.append(f"{STATUS_LABELS.get(check.status, check.status)}{check.name}: {check.summary}")
        if check.action:
            lines.append(f"            → {check.action}")
    plan = report.recovery
    if plan is not None:
        lines.append("")
        lines.append(plan.problem)
        lines.extend(f"  {n}. {step}" for n, step in enumerate(plan.steps, 1))
    out.emit(
        "\n".join(lines),
        {
            "ok": all(c.status in ("ok", "skipped") for c in report.checks),
            "exit_code": code,
            "db": str(maintenance.context.database.path),
            "checks": [
                {"name": c.name, "status": c.status, "summary": c.summary, "action": c.action, "details": c.details}
                for c in report.checks
            ],
            "recovery": None
            if plan is None
            else {
                "problem": plan.problem,
                "latest_backup": str(plan.backup.path) if plan.backup else None,
                "backup_created": plan.backup.created if plan.backup else None,
                "command": plan.command,
                "steps": list(plan.steps),
            },
        },
    )
    if code:
        sys.stderr.write(
            "Lỗi: cơ sở dữ liệu bị hỏng. "
            + (f"Để phục hồi: {plan.command}\n" if plan and plan.command else "Xem hướng dẫn ở trên.\n")
        )
    return code
