"""The `user` subcommands (add, list, disable, enable an account, reset its password, change one's own) and
`audit verify` (the event log's seal)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from counter_app.cli.login import new_password
from counter_app.cli.runner import Output, command, open_services, vn_moment
from counter_app.domain.audit_chain import ChainBreak
from counter_app.errors import RuleError


def add_account_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    user = sub.add_parser("user", parents=[common], help="accounts of this installation (clerk, supervisor, admin)")
    actions = user.add_subparsers(dest="user_action", required=True, parser_class=type(user))
    p = actions.add_parser("add", parents=[common], help="add an account (the first one must be an admin)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=("clerk", "supervisor", "admin"))
    p.add_argument("--full-name", default="", help="the person's full name, shown in the status bar")
    actions.add_parser("list", parents=[common], help="list the accounts")
    p = actions.add_parser("disable", parents=[common], help="disable an account (it can no longer sign in)")
    p.add_argument("name")
    p = actions.add_parser("enable", parents=[common], help="enable a disabled account again")
    p.add_argument("name")
    p = actions.add_parser(
        "reset-password",
        parents=[common],
        help="give an account a temporary password (read like user add's); the person sets a new one at the next "
        "sign-in",
    )
    p.add_argument("name")
    actions.add_parser(
        "change-password",
        parents=[common],
        help="the signed-in person's own new password (read after the login's, like user add's); the only command "
        "open to an account on a temporary password",
    )

    audit = sub.add_parser("audit", parents=[common], help="the tamper-evident record of every action")
    checks = audit.add_subparsers(dest="audit_action", required=True, parser_class=type(audit))
    checks.add_parser("verify", parents=[common], help="check every event chain (exit 4: broken)")


def _user_row(view: Any) -> dict[str, object]:
    return {
        "name": view.name,
        "full_name": view.full_name,
        "role": view.role.value,
        "disabled": view.disabled,
        "created": view.created_at,
        "must_change_password": view.must_change_password,
    }


@command("user")
def user(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    accounts = services.accounts
    if args.user_action == "add":
        view = accounts.add_user(args.name, args.role, new_password(args), full_name=args.full_name)
        out.emit(f"Đã thêm tài khoản “{view.name}” với vai trò {view.role_label}.", _user_row(view))
    elif args.user_action == "disable":
        view = accounts.disable_user(args.name)
        out.emit(f"Đã vô hiệu hóa tài khoản “{view.name}”.", _user_row(view))
    elif args.user_action == "enable":
        view = accounts.enable_user(args.name)
        out.emit(f"Đã mở lại tài khoản “{view.name}”.", _user_row(view))
    elif args.user_action == "reset-password":
        temporary = new_password(args, f"mật khẩu tạm thời của tài khoản “{args.name.strip()}”")
        view = accounts.reset_password(args.name, temporary)
        out.emit(
            f"Đã đặt mật khẩu tạm thời cho tài khoản “{view.name}”. Ở lần đăng nhập tới, người dùng phải đặt mật "
            "khẩu mới trước khi làm việc.",
            _user_row(view),
        )
    elif args.user_action == "change-password":
        if args.session is None:
            raise RuleError("Chưa có tài khoản nào trên máy này: không có mật khẩu nào để đổi.")
        session = accounts.change_own_password(args.current_password, new_password(args, "mật khẩu mới"))
        out.emit(
            f"Đã đổi mật khẩu của tài khoản “{session.name}”.",
            {"name": session.name, "must_change_password": session.must_change_password},
        )
    else:
        views = accounts.list_users()
        lines = [
            f"{v.name:<20} {v.role_label:<20} {'ĐÃ VÔ HIỆU HÓA' if v.disabled else 'hoạt động':<15} "
            f"tạo lúc {vn_moment(v.created_at)}" + (f"  {v.full_name}" if v.full_name else "")
            for v in views
        ]
        out.emit(
            "\n".join(lines) or "Chưa có tài khoản nào (mọi thao tác được phép không cần đăng nhập).",
            [_user_row(v) for v in views],
        )
    return 0


@command("audit")
def audit(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    report = services.audit.verify()
    key = report.key
    key_line = f"\n{key.message}" if key is not None else ""
    # the central's copy: compared, or why not (an unreachable central does not change the local verdict)
    central_line = f"\n{report.central.message}" if report.central.message else ""
    if report.broken is None and report.attachment is not None:
        problem = report.attachment
        out.emit(f"Tệp số hóa KHÔNG CÒN NGUYÊN VẸN: {problem.message}{key_line}{central_line}", report.as_dict())
        sys.stderr.write(f"Lỗi: {problem.message}\n")
        return 4
    if report.broken is None and report.dossiers:
        names = ", ".join(d.code or d.uuid for d in report.dossiers[:20])
        more = f" và {len(report.dossiers) - 20} hồ sơ khác" if len(report.dossiers) > 20 else ""
        message = (
            f"{len(report.dossiers)} hồ sơ có dữ liệu KHÁC với nhật ký đã niêm phong (bị sửa trực tiếp trong tệp "
            f"cơ sở dữ liệu?): {names}{more}."
        )
        out.emit(f"{message}{key_line}{central_line}", report.as_dict())
        sys.stderr.write(f"Lỗi: {message}\n")
        return 4
    if report.broken is None:
        out.emit(
            f"Nhật ký kiểm toán nguyên vẹn: đã kiểm tra {report.checked} sự kiện của {report.chains} quầy."
            f"{key_line}{central_line}",
            report.as_dict(),
        )
        return 0
    broken = report.broken
    where = _where(broken)
    if report.central.status == "broken":
        where += " — bản sao trên máy chủ trung tâm"
        key_line += central_line
    breaks = report.all_breaks
    others = ""
    if len(breaks) > 1:
        shown = [f"\n  - tại {_where(b)}: {b.message}." for b in breaks[1:SHOWN_BREAKS]]
        more = f"\n  và {len(breaks) - SHOWN_BREAKS} chỗ khác." if len(breaks) > SHOWN_BREAKS else ""
        others = f"\nCòn {len(breaks) - 1} chỗ bị phá vỡ khác:{''.join(shown)}{more}"
    out.emit(f"Nhật ký kiểm toán BỊ PHÁ VỠ tại {where}: {broken.message}.{others}{key_line}", report.as_dict())
    also = f" (và {len(breaks) - 1} chỗ khác)" if len(breaks) > 1 else ""
    sys.stderr.write(f"Lỗi: nhật ký kiểm toán bị phá vỡ tại {where}: {broken.message}{also}.\n")
    return 4


# the breaks named one by one in the human output; the JSON lists every one
SHOWN_BREAKS = 10


def _where(broken: ChainBreak) -> str:
    return f"quầy {broken.counter} của cơ quan {broken.agency_code}, sự kiện số {broken.seq} ({broken.event_uuid})"
