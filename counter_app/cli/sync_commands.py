"""The `sync` subcommand: exchange this counter's events through the city's sync service (https://, a credential).

Also the terminal's password prompt of the administrator's commands on the central database (`central …`,
`catalogue publish`), which alone still take a postgresql:// address.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from counter_app.cli.runner import Output, command, open_services


def add_sync_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sync", parents=[common], help="synchronise through the city's sync service")
    p.add_argument("--central", help="https://HOST:PORT of the sync service; default: the central_url setting")
    p.add_argument("--ca-file", help="the city's root certificate (PEM) that signed the sync service's certificate")
    p.add_argument(
        "--credential-stdin", action="store_true", help="read the counter's credential from stdin and keep it"
    )
    p.add_argument("--batch-size", type=int, default=None, help="events per page pulled from the service")


def tty_password_prompt() -> Any:
    """For the administrator's commands on the central database: a prompt for the password of the PostgreSQL
    account, only when a person can answer it (stdin is a terminal); None otherwise."""
    if not sys.stdin.isatty():
        return None

    def ask(role: str) -> str:
        return getpass.getpass(f"Mật khẩu của tài khoản “{role}” trên máy chủ trung tâm: ")

    return ask


def _human(report: Any) -> str:
    return (
        f"Đã gửi {report.pushed} và nhận {report.pulled} thay đổi ({report.dossiers} hồ sơ); "
        f"{report.failed} thay đổi lỗi."
        + (
            f" Đối chiếu với máy chủ trung tâm: đã nhận lại {report.repaired} thay đổi còn thiếu."
            if report.repaired
            else ""
        )
    )


@command("sync")
def sync(args: argparse.Namespace, out: Output) -> int:
    from counter_app.services.syncing.sync_runs import SyncInterrupted

    services = open_services(args)
    batch = args.batch_size if args.batch_size and args.batch_size > 0 else None
    credential = sys.stdin.readline().strip() if args.credential_stdin else None
    try:
        report = services.sync.sync_now(
            central_url=args.central,
            credential=credential,
            ca_file=args.ca_file,
            pull_batch=batch,
        )
    except SyncInterrupted as exc:
        # what was exchanged before the cut is kept on both sides; say so, then exit 3
        out.emit(_human(exc.report), exc.report.as_json())
        sys.stderr.write(f"Lỗi: {exc.message}\n")
        return exc.exit_code
    out.emit(_human(report), report.as_json())
    if report.failed:
        sys.stderr.write(
            f"Lỗi: {report.failed} thay đổi không đồng bộ được (máy chủ trung tâm từ chối hoặc xung đột dữ liệu); "
            "các thay đổi này được giữ lại trên máy trong hàng lỗi đồng bộ.\n"
        )
        return 2
    return 0
