"""The `central` subcommands: create the central schema, register agencies and counters, issue their sync
credentials, run the sync service (administrator's tools)."""

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
    p = add("add-counter", "take a counter number of an agency; its sync credential is shown once")
    p.add_argument("--agency", required=True)
    p.add_argument("--counter", type=int, required=True)
    p.add_argument("--label", default="")
    p = add("revoke-counter", "end a counter's sync credential at once")
    p.add_argument("--agency", required=True)
    p.add_argument("--counter", type=int, required=True)
    p = add("new-credential", "a new sync credential for a registered counter (the old one stops working)")
    p.add_argument("--agency", required=True)
    p.add_argument("--counter", type=int, required=True)
    p = add("serve", "run the sync service in the foreground until SIGTERM")
    p.add_argument("--listen", required=True, help="HOST:PORT")
    p.add_argument("--certfile", help="the server's TLS certificate chain (PEM)")
    p.add_argument("--keyfile", help="its private key (PEM)")
    p.add_argument(
        "--public-url",
        help="the address citizens reach this service at (https://…): serves the status page the receipt's QR "
        "opens, and counters learn it at their next sync",
    )
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
    from counter_app.central.administration import central_login

    return central_login(args.url, tty_password_prompt())


@_action("init")
def central_init(args: argparse.Namespace, out: Output) -> int:
    from counter_app.central.administration import init_central

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
    from counter_app.central.administration import add_agency

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
    from counter_app.central.administration import add_counter
    from counter_app.central.credentials import issue_credential

    url, password = _target(args)
    registered = add_counter(url, password, agency_code=args.agency, counter=args.counter, label=args.label)
    credential = issue_credential(url, password, agency_code=registered.agency_code, counter=registered.counter)
    out.emit(
        f"Đã cấp quầy số {registered.counter} của cơ quan {registered.agency_code}.\n"
        f"Thông tin xác thực đồng bộ: {credential}\n"
        "Thông tin này chỉ hiển thị một lần: nhập ngay vào phần Thiết lập của máy quầy, hoặc chạy "
        "“counter-app sync --central https://… --credential-stdin” trên máy quầy rồi dán vào.",
        {"agency": registered.agency_code, "counter": registered.counter, "credential": credential},
    )
    return 0


@_action("new-credential")
def central_new_credential(args: argparse.Namespace, out: Output) -> int:
    from counter_app.central.credentials import issue_credential

    url, password = _target(args)
    credential = issue_credential(url, password, agency_code=args.agency, counter=args.counter)
    out.emit(
        f"Thông tin xác thực mới của quầy số {args.counter} cơ quan {args.agency} (thông tin cũ hết hiệu lực): "
        f"{credential}\nChỉ hiển thị một lần.",
        {"agency": args.agency, "counter": args.counter, "credential": credential},
    )
    return 0


@_action("revoke-counter")
def central_revoke_counter(args: argparse.Namespace, out: Output) -> int:
    from counter_app.central.credentials import revoke_credential

    url, password = _target(args)
    ended = revoke_credential(url, password, agency_code=args.agency, counter=args.counter)
    text = (
        f"Đã thu hồi thông tin xác thực của quầy số {args.counter} cơ quan {args.agency}."
        if ended
        else f"Quầy số {args.counter} cơ quan {args.agency} không có thông tin xác thực nào đang hiệu lực."
    )
    out.emit(text, {"agency": args.agency, "counter": args.counter, "revoked": ended})
    return 0


@_action("serve")
def central_serve(args: argparse.Namespace, out: Output) -> int:
    from counter_app.central.server import serve

    url, password = _target(args)
    serve(url, password, args.listen, certfile=args.certfile, keyfile=args.keyfile, public_url=args.public_url)
    return 0
