"""The command line's parser: global options accepted before or after the subcommand, and every subcommand."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from counter_app import __version__
from counter_app.cli.account_commands import add_account_parser
from counter_app.cli.attachment_commands import add_attachment_parser
from counter_app.cli.catalogue_commands import add_catalogue_parser
from counter_app.cli.central_commands import add_central_parser
from counter_app.cli.maintenance_commands import add_maintenance_parser
from counter_app.cli.report_commands import add_report_parser
from counter_app.cli.sync_commands import add_sync_parser


class VietnameseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own messages are English; say where to look
        self.print_usage(sys.stderr)
        sys.stderr.write(f"Lỗi: tham số không hợp lệ ({message}). Xem “counter-app --help”.\n")
        raise SystemExit(2)


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument("--db", default=default, help="local database file (env COUNTER_APP_DB)")
    parser.add_argument(
        "--now",
        default=default,
        help='drill clock start "YYYY-MM-DD HH:MM", Vietnamese time (env COUNTER_APP_NOW)',
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="machine-readable output",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="use the demo profile (its own database with a demo agency)",
    )
    parser.add_argument("--user", default=default, help="sign in as this account (env COUNTER_APP_USER)")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="read the password from stdin (else env COUNTER_APP_PASSWORD)",
    )


def _intake_options(p: argparse.ArgumentParser) -> None:
    """The applicant and procedure options of `intake`, shared by `re-enter`."""
    p.add_argument("--procedure", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--id", required=True, dest="identifier")
    p.add_argument("--phone", default="")
    p.add_argument("--address", default="")
    p.add_argument("--email", default="")
    p.add_argument("--birth-date", default="")
    p.add_argument("--sex", default="")
    p.add_argument("--organisation", action="store_true", help="the applicant is an organisation (tax code)")
    p.add_argument("--fee-paid", action="store_true")
    p.add_argument("--post", default="", help="send the result by post to this address")


def build_parser() -> argparse.ArgumentParser:
    parser = VietnameseArgumentParser(prog="counter-app", description="Bộ phận Một cửa: tiếp nhận và trả kết quả")
    parser.add_argument("--version", action="version", version=f"counter-app {__version__}")
    parser.add_argument(  # handled in __main__ before parsing; listed here for --help
        "--self-test",
        action="store_true",
        help="render every document and open every screen offscreen in a throwaway folder; exit 0 if all worked",
    )
    _global_options(parser, suppress=False)
    common = VietnameseArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    sub = parser.add_subparsers(dest="command", parser_class=VietnameseArgumentParser)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help_text)

    p = add("init", "create or configure the local database")
    p.add_argument("--agency-code", required=True)
    p.add_argument("--agency-name", required=True)
    p.add_argument("--counter", type=int, required=True)
    p.add_argument("--counter-digits", type=int, choices=(1, 2), default=1)
    p.add_argument("--number-digits", type=int, choices=(3, 4), default=3)
    p.add_argument("--parent-authority", default="")
    p.add_argument(
        "--drill",
        action="store_true",
        help="a database for drills or training: takes --now even with accounts; every form says BẢN DIỄN TẬP",
    )

    p = add("due-date", "compute an appointment")
    p.add_argument("--received", required=True)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--days", type=int)
    group.add_argument("--procedure")
    p.add_argument("--mode", choices=("days", "hours"))

    p = add("calendar", "list a year's days off and working weekend days")
    p.add_argument("year", type=int)
    p = add("calendar-import", "import a year's official calendar decision (JSON)")
    p.add_argument("file")
    p = add("procedures", "list the catalogue")
    p.add_argument("--search", default="")

    p = add("intake", "take in a dossier (accept, ask for a supplement, or refuse)")
    _intake_options(p)
    p.add_argument(
        "--received",
        help='"YYYY-MM-DD HH:MM"; more than 30 minutes ago: a supervisor\'s back-entry, with --reason',
    )
    p.add_argument("--outcome", choices=("accept", "supplement", "refuse"), default="accept")
    p.add_argument("--missing", action="append", default=[])
    p.add_argument(
        "--reason",
        default="",
        help="why the slip is written (supplement, refuse); for an old --received, why it is entered only now",
    )
    p = add("re-enter", "re-enter a dossier a restore lost, from its Liên 1 copy (a supervisor's action)")
    p.add_argument("code", help="the dossier code printed on the copy")
    _intake_options(p)
    p.add_argument("--received", required=True, help='the received time printed on the copy, "YYYY-MM-DD HH:MM"')
    p.add_argument("--reason", default="", help="why it is re-entered (required)")
    p.add_argument(
        "--receipt-number",
        default="",
        help='the receipt number printed on the copy after "Số:" (e.g. 400001/TTPVHCC): its receipt keeps it',
    )

    p = add("find", "search dossiers by code, name, identifier or phone")
    p.add_argument("text")
    p = add("show", "a dossier with its timeline")
    p.add_argument("code")
    p = add("transfer", "hand the dossier over to the deciding agency")
    p.add_argument("code")
    p = add("supplement-request", "the deciding agency asks for a supplement (the clock pauses)")
    p.add_argument("code")
    p.add_argument("--reason", required=True)
    p = add("supplement-received", "the applicant's supplement is received (the clock resumes)")
    p.add_argument("code")
    p = add("result-ready", "the result is back at the desk")
    p.add_argument("code")
    p = add("hand-over", "hand the result to the applicant")
    p.add_argument("code")
    p.add_argument("--to", default="", dest="to_name")
    p.add_argument("--id", default="", dest="to_identifier")
    p.add_argument("--rating", type=int)
    like = p.add_mutually_exclusive_group()
    like.add_argument("--like", action="store_true", default=None)
    like.add_argument("--dislike", action="store_true", default=None)
    p.add_argument("--fee-collected", action="store_true")
    p.add_argument("--waybill", default="", help="sent by post with this waybill number")
    p = add("withdraw", "the applicant withdraws the dossier")
    p.add_argument("code")
    p.add_argument("--reason", required=True)
    p = add("void", "void a dossier taken in by mistake")
    p.add_argument("code")
    p.add_argument("--reason", required=True)
    p = add("demo", "fill the database with realistic demo dossiers")
    p.add_argument("--dossiers", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)

    p = add("print", "render a document to PDF")
    p.add_argument("kind", choices=("receipt", "control", "withdrawal", "fee", "supplement", "refusal"))
    p.add_argument("code")
    p.add_argument("--out", required=True)
    # a reprint needs one (domain.md §10): lost, damaged, at the applicant's request, other (with --reason-text)
    p.add_argument("--reason", choices=("lost", "damaged", "requested", "other"))
    p.add_argument("--reason-text", default="")

    p = add("late", "due-soon and overdue dossiers")
    p = add("apology", "record the apology letter and the one new appointment of a late dossier")
    p.add_argument("code")
    p.add_argument("--reason", required=True)
    p.add_argument("--new-date", required=True)
    p.add_argument("--delivered", choices=("in_person", "post", "phone", "email"), default="in_person")
    p.add_argument("--out")

    p = add("config", "read or change a setting")
    p.add_argument("action", choices=("get", "set"))
    p.add_argument("key")
    p.add_argument("value", nargs="?")
    add_sync_parser(sub, common)
    add_report_parser(sub, common)
    add_central_parser(sub, common)
    add_maintenance_parser(sub, common)
    add_account_parser(sub, common)
    add_attachment_parser(sub, common)
    add_catalogue_parser(sub, common)
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    args = build_parser().parse_args(argv)
    for name, default in (
        ("db", None),
        ("now", None),
        ("json", False),
        ("demo", False),
        ("user", None),
        ("password_stdin", False),
    ):
        if not hasattr(args, name):
            setattr(args, name, default)
    return args
