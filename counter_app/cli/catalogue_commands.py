"""Catalogue administration on the command line: `catalogue import|log`, `central publish-catalogue|-calendar`.

`catalogue import FILE` needs an administrator's login once accounts exist (cli.login); the calendar's import is
the existing `calendar-import FILE`. The `central publish-*` actions work on the central database with its
administrator's PostgreSQL login, like the other `central` actions.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counter_app.cli.runner import Output, command, open_services, vn_moment
from counter_app.domain.json_text import InvalidJson, parse_json
from counter_app.errors import FormInvalid

Action = Callable[[argparse.Namespace, Output], int]


def add_catalogue_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    catalogue = sub.add_parser("catalogue", parents=[common], help="administer the catalogue of procedures")
    actions = catalogue.add_subparsers(dest="catalogue_action", required=True, parser_class=type(catalogue))
    p = actions.add_parser("import", parents=[common], help="add or replace procedures from a catalogue file (JSON)")
    p.add_argument("file")
    p = actions.add_parser("log", parents=[common], help="the administration log (catalogue and calendar changes)")
    p.add_argument("--subject", default=None, help='e.g. "procedure:1.001193" or "calendar:2027"')
    p.add_argument("--limit", type=int, default=50)


def add_publish_actions(add: Callable[[str, str], argparse.ArgumentParser], actions: dict[str, Action]) -> None:
    """The `central publish-*` actions (called by cli.central_commands, which owns the `central` parser)."""
    p = add("publish-catalogue", "publish the city's catalogue (JSON) to every counter at its next sync")
    p.add_argument("file")
    p = add("publish-calendar", "publish a year's official calendar decision (JSON) to every counter")
    p.add_argument("file")
    actions["publish-catalogue"] = central_publish_catalogue
    actions["publish-calendar"] = central_publish_calendar


@command("catalogue")
def catalogue(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    if args.catalogue_action == "import":
        result = services.catalogue.import_catalogue(Path(args.file))
        out.emit(
            f"Đã nhập danh mục {result.version or '(không ghi phiên bản)'}: thêm {len(result.added)}, "
            f"sửa {len(result.updated)}, không đổi {result.unchanged} thủ tục.",
            {
                "version": result.version,
                "added": list(result.added),
                "updated": list(result.updated),
                "unchanged": result.unchanged,
            },
        )
        return 0
    events = services.catalogue.list_admin_events(args.subject, args.limit)
    lines = [
        f"{vn_moment(e.occurred_at)}  {e.label}  {e.subject}  ({e.clerk or '—'}, quầy {e.counter})" for e in events
    ]
    out.emit(
        "\n".join(lines) or "Chưa có thay đổi nào.",
        [
            {
                "at": e.occurred_at,
                "kind": e.kind,
                "subject": e.subject,
                "source": e.source,
                "clerk": e.clerk,
                "role": e.role,
                "agency_code": e.agency_code,
                "counter": e.counter,
                "before": e.before,
                "after": e.after,
            }
            for e in events
        ],
    )
    return 0


def _target(args: argparse.Namespace) -> tuple[Any, str | None]:
    from counter_app.central.administration import central_login
    from counter_app.cli.sync_commands import tty_password_prompt

    return central_login(args.url, tty_password_prompt())


def _read(path: Path) -> Any:
    try:
        return parse_json(path.read_text(encoding="utf-8"))
    except InvalidJson as exc:
        raise FormInvalid({"file": f"Tệp {path.name} {exc.reason}"}) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FormInvalid({"file": f"Không đọc được tệp JSON {path.name} ({type(exc).__name__})."}) from None


def central_publish_catalogue(args: argparse.Namespace, out: Output) -> int:
    from counter_app.central.administration import publish_catalogue
    from counter_app.domain.procedure import validate_catalogue

    version, specs = validate_catalogue(_read(Path(args.file)))  # checked before connecting
    url, password = _target(args)
    result = publish_catalogue(url, password, version, specs)
    out.emit(
        f"Đã công bố danh mục {version or '(không ghi phiên bản)'} trên {url.redacted()}: thêm "
        f"{len(result.added)}, sửa {len(result.updated)}, không đổi {result.unchanged} thủ tục. "
        "Các quầy nhận ở lần đồng bộ tới.",
        {
            "version": version,
            "added": list(result.added),
            "updated": list(result.updated),
            "unchanged": result.unchanged,
        },
    )
    return 0


def central_publish_calendar(args: argparse.Namespace, out: Output) -> int:
    from counter_app.central.administration import publish_calendar
    from counter_app.services.catalogue.calendar_files import load_calendar_file

    cal = load_calendar_file(Path(args.file))
    url, password = _target(args)
    changed = publish_calendar(url, password, cal)
    done = "Đã công bố" if changed else "Máy chủ trung tâm đã có đúng phiên bản này của"
    out.emit(
        f"{done} lịch năm {cal.year} (phiên bản {cal.version}): {len(cal.days_off)} ngày nghỉ, "
        f"{len(cal.working_days)} ngày làm bù.",
        {"year": cal.year, "version": cal.version, "changed": changed},
    )
    return 0
