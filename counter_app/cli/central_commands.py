"""The `central` subcommands: create the central schema, register agencies and counters (administrator's tools)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from counter_app.cli.runner import Output, command
from counter_app.cli.sync_commands import tty_password_prompt

_ACTIONS: dict[str, Callable[[argparse.Namespace, Output], int]] = {}


def add_central_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    central = sub.add_parser("central", parents=[common], help="administer the central database")
    actions = central.add_subparsers(dest="central_action", required=True, parser_class=type(central))

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = actions.add_parser(name, parents=[common], help=help_text)
        p.add_argument("--url", required=True, help="postgresql://admin@host:port/db")
        return p

    add("init", "create or upgrade the central schema, its roles and security")
    p = add("add-agency", "register an agency and fix its code widths")
    p.add_argument("--code", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--counter-digits", type=int, choices=(1, 2), default=1)
    p.add_argument("--number-digits", type=int, choices=(3, 4), default=3)
    p = add("add-counter", "take a counter number of an agency and create its login")
    p.add_argument("--agency", required=True)
    p.add_argument("--counter", type=int, required=True)
    p.add_argument("--label", default="")
    from counter_app.cli.catalogue_commands import add_publish_actions  # imports this module: not at the top

    add_publish_actions(add, _ACTIONS)


def _action(name: str) -> Callable[[Callable[[argparse.Namespace, Output], int]], Any]:
    def register(fn: Callable[[argparse.Namespace, Output], int]) -> Callable[[argparse.Namespace, Output], int]:
        _ACTIONS[name] = fn
        return fn

    return register


@command("central")
def central(args: argparse.Namespace, out: Output) -> int:
    return _ACTIONS[args.central_action](args, out)


def _target(args: argparse.Namespace) -> tuple[Any, str | None]:
    from counter_app.sync.central_url import parse_central_url, resolve_password

    url = parse_central_url(args.url)
    return url, resolve_password(url, tty_password_prompt())


@_action("init")
def central_init(args: argparse.Namespace, out: Output) -> int:
    from counter_app.sync.central_admin import init_central

    url, password = _target(args)
    result = init_central(url, password)
    done = "Đã khởi tạo" if result.upgraded else "Lược đồ đã ở phiên bản mới nhất"
    out.emit(
        f"{done}: cơ sở dữ liệu trung tâm {url.redacted()}, phiên bản {result.revision}.",
        {
            "revision": result.revision,
            "upgraded": result.upgraded,
            "owner_role": result.owner_role,
            "counters_role": result.counters_role,
        },
    )
    return 0


@_action("add-agency")
def central_add_agency(args: argparse.Namespace, out: Output) -> int:
    from counter_app.sync.central_admin import add_agency

    url, password = _target(args)
    code = add_agency(
        url,
        password,
        code=args.code,
        name=args.name,
        counter_digits=args.counter_digits,
        number_digits=args.number_digits,
    )
    out.emit(
        f"Đã thêm cơ quan {code} ({args.counter_digits} chữ số số quầy, {args.number_digits} chữ số số thứ tự).",
        {"code": code, "counter_digits": args.counter_digits, "number_digits": args.number_digits},
    )
    return 0


@_action("add-counter")
def central_add_counter(args: argparse.Namespace, out: Output) -> int:
    from counter_app.sync.central_admin import add_counter

    url, password = _target(args)
    account = add_counter(url, password, agency_code=args.agency, counter=args.counter, label=args.label)
    out.emit(
        f"Đã cấp quầy số {account.counter} của cơ quan {account.agency_code}.\n"
        f"Tài khoản: {account.role}\nMật khẩu: {account.password}\n"
        "Mật khẩu chỉ hiển thị một lần: hãy lưu ngay vào kho khóa của máy quầy "
        f"(dịch vụ “counter_app”, tài khoản “{account.role}”).",
        {"role": account.role, "password": account.password},
    )
    return 0
