"""Running one subcommand: the registry, output (human or JSON), the services it opens, and exit codes.

Exit codes: 0 success; 1 unexpected error; 2 bad input or refused by a rule; 3 central unreachable;
4 integrity problem.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from counter_app.errors import CounterError, FormInvalid

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace, "Output"], int]
COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = fn
        return fn

    return register


@dataclass
class Output:
    as_json: bool

    def emit(self, human: str, data: Any) -> None:
        if self.as_json:
            print(json.dumps(data, ensure_ascii=False, default=_json_default))
        else:
            print(human)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def iso_minute(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M") if value else None


def vn_moment(value: datetime | None) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value else "—"


def execute(args: argparse.Namespace) -> int:
    """Run one subcommand; every CounterError becomes its exit code with the message on stderr."""
    from counter_app.logging_setup import configure_logging
    from counter_app.paths import log_dir

    configure_logging(log_dir())
    out = Output(bool(args.json))
    try:
        _sign_in(args)
        return COMMANDS[args.command](args, out)
    except FormInvalid as exc:
        for fld, message in exc.errors.items():
            sys.stderr.write(f"Lỗi ({fld}): {message}\n")
        return exc.exit_code
    except CounterError as exc:
        sys.stderr.write(f"Lỗi: {exc.message}\n")
        if exc.exit_code == 1:
            log.error("command %s failed: %s", args.command, exc.detail or type(exc).__name__)
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("Đã dừng.\n")
        return 1
    except Exception:
        log.exception("unexpected error in command %s", args.command)
        sys.stderr.write("Lỗi không mong đợi; chi tiết đã được ghi vào nhật ký của ứng dụng.\n")
        return 1


def _clock(args: argparse.Namespace) -> Any:
    from counter_app.services.common.clock import DrillClock, SystemClock, parse_local_moment

    now_text = args.now or os.environ.get("COUNTER_APP_NOW")
    return DrillClock(parse_local_moment(now_text, "now")) if now_text else SystemClock()


def database_path(args: argparse.Namespace) -> Path:
    """The database named by --db / COUNTER_APP_DB, or the demo or default one."""
    from counter_app.paths import default_database, demo_database

    db_text = args.db or os.environ.get("COUNTER_APP_DB")
    db_path = Path(db_text) if db_text else (demo_database() if args.demo else default_database())
    return db_path.expanduser().resolve()


def _sign_in(args: argparse.Namespace) -> None:
    """Check the login the subcommand needs (cli.login) before it does anything; kept on `args` for its services."""
    from counter_app.cli.login import authorize, check_drill_clock
    from counter_app.services.common.clock import DrillClock

    clock = _clock(args)
    if isinstance(clock, DrillClock):
        check_drill_clock(database_path(args), clock)
    args.session = authorize(args, database_path(args), clock)


def open_services(args: argparse.Namespace) -> Any:
    """The services over the database named by --db / COUNTER_APP_DB (or the demo or default one)."""
    from counter_app.bootstrap import build_services

    services = build_services(database_path(args), _clock(args))
    if getattr(args, "session", None) is not None:
        services.accounts.adopt(args.session)
    if args.demo:
        services.setup.ensure_demo_profile()
    return services
