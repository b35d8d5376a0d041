"""Subcommands of the dossier's life: intake, find, show, the desk's transitions, and demo data."""

from __future__ import annotations

import argparse
from dataclasses import replace

from counter_app.cli.runner import Output, command, iso_minute, open_services, vn_moment
from counter_app.domain.intake import IntakeForm
from counter_app.services.common.clock import parse_local_moment
from counter_app.services.common.views import DossierView


def _row(view: DossierView) -> dict[str, object]:
    return {
        "code": view.code or view.slip,
        "name": view.applicant_name,
        "status": view.status,
        "status_name": view.status_name,
        "due": iso_minute(view.due_at),
    }


def _line(view: DossierView) -> str:
    return (
        f"{view.code or view.slip}  {view.applicant_name}  {view.procedure_name}  "
        f"[{view.status_name}]  hẹn trả: {vn_moment(view.due_at)}"
    )


def _form(args: argparse.Namespace) -> IntakeForm:
    """The applicant and procedure options (parser._intake_options) as the intake form."""
    return IntakeForm(
        procedure_code=args.procedure,
        name=args.name,
        identifier=args.identifier,
        applicant_kind="organisation" if args.organisation else "person",
        birth_date=args.birth_date,
        sex=args.sex,
        address=args.address,
        phone=args.phone,
        email=args.email,
        result_delivery="post" if args.post else "desk",
        postal_address=args.post,
        fee_paid=args.fee_paid,
    )


@command("intake")
def intake(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    accept = args.outcome == "accept"
    form = replace(
        _form(args),
        missing=tuple(args.missing),
        reason="" if accept else args.reason,  # an accepted dossier's --reason only explains a back-entry
        back_entry_reason=args.reason,
        received_at=parse_local_moment(args.received, "received") if args.received else None,
    )
    if accept:
        result = services.intake.accept(form)
        out.emit(
            f"Đã tiếp nhận hồ sơ {result.code}; hẹn trả kết quả {vn_moment(result.due)}.",
            {"code": result.code, "uuid": result.uuid, "due": iso_minute(result.due)},
        )
    else:
        action = services.intake.request_supplement if args.outcome == "supplement" else services.intake.refuse
        result = action(form)
        what = "Phiếu yêu cầu bổ sung" if args.outcome == "supplement" else "Phiếu từ chối tiếp nhận"
        out.emit(f"Đã lập {what} số {result.slip}.", {"slip": result.slip, "uuid": result.uuid})
    return 0


@command("re-enter")
def re_enter(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    received = parse_local_moment(args.received, "received")
    result = services.re_entry.re_enter(_form(args), args.code, received, args.reason, args.receipt_number)
    out.emit(
        f"Đã nhập lại hồ sơ {result.code} từ liên lưu (tiếp nhận {vn_moment(received)}); "
        f"hẹn trả kết quả {vn_moment(result.due)}.",
        {"code": result.code, "uuid": result.uuid, "due": iso_minute(result.due), "re_entry": True},
    )
    return 0


@command("find")
def find(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    views = services.dossiers.find(args.text)
    out.emit("\n".join(_line(v) for v in views) or "Không tìm thấy hồ sơ nào.", [_row(v) for v in views])
    return 0


@command("show")
def show(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    view = services.dossiers.get_dossier(args.code)
    events = services.dossiers.timeline(args.code)
    lines = [_line(view), *(f"  {e.occurred_at:%d/%m/%Y %H:%M}  {e.label}  {e.details}" for e in events)]
    data = _row(view) | {
        "uuid": view.uuid,
        "events": [{"kind": e.kind, "at": iso_minute(e.occurred_at), "label": e.label} for e in events],
    }
    out.emit("\n".join(lines), data)
    return 0


def _transition(args: argparse.Namespace, out: Output, done: str, view: DossierView) -> int:
    out.emit(f"{view.code or view.slip}: {done} — trạng thái {view.status_name}.", _row(view))
    return 0


@command("transfer")
def transfer(args: argparse.Namespace, out: Output) -> int:
    view = open_services(args).dossiers.transfer(args.code)
    return _transition(args, out, "đã chuyển cơ quan giải quyết", view)


@command("supplement-request")
def supplement_request(args: argparse.Namespace, out: Output) -> int:
    view = open_services(args).dossiers.request_supplement(args.code, args.reason)
    return _transition(args, out, "đã ghi nhận yêu cầu bổ sung (tạm dừng tính thời hạn)", view)


@command("supplement-received")
def supplement_received(args: argparse.Namespace, out: Output) -> int:
    view = open_services(args).dossiers.receive_supplement(args.code)
    return _transition(args, out, f"đã nhận hồ sơ bổ sung, hẹn trả mới {vn_moment(view.due_at)}", view)


@command("result-ready")
def result_ready(args: argparse.Namespace, out: Output) -> int:
    view = open_services(args).dossiers.result_ready(args.code)
    return _transition(args, out, "kết quả đã về Bộ phận Một cửa", view)


@command("hand-over")
def hand_over(args: argparse.Namespace, out: Output) -> int:
    like = True if args.like else (False if args.dislike else None)
    view = open_services(args).dossiers.hand_over(
        args.code,
        to_name=args.to_name,
        to_identifier=args.to_identifier,
        fee_collected=args.fee_collected,
        by_post=bool(args.waybill),
        waybill=args.waybill,
        rating=args.rating,
        like=like,
    )
    return _transition(args, out, "đã trả kết quả", view)


@command("withdraw")
def withdraw(args: argparse.Namespace, out: Output) -> int:
    view = open_services(args).dossiers.withdraw(args.code, args.reason)
    return _transition(args, out, "công dân đã rút hồ sơ", view)


@command("void")
def void(args: argparse.Namespace, out: Output) -> int:
    view = open_services(args).dossiers.void(args.code, args.reason)
    return _transition(args, out, "đã hủy hồ sơ tiếp nhận nhầm", view)


@command("demo")
def demo(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    made = services.demo.generate(args.dossiers, seed=args.seed)
    out.emit(f"Đã tạo {made} hồ sơ minh họa.", {"dossiers": made})
    return 0
