"""Subcommands for setting up and reading the installation: init, due-date, calendar, procedures, config."""

from __future__ import annotations

import argparse
from pathlib import Path

from counter_app.cli.runner import Output, command, iso_minute, open_services, vn_moment
from counter_app.domain.deadlines import DueMode
from counter_app.errors import ValidationError
from counter_app.services.common.clock import parse_local_moment


@command("init")
def init(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    settings = services.setup.init_local(
        agency_code=args.agency_code,
        agency_name=args.agency_name,
        counter=args.counter,
        counter_digits=args.counter_digits,
        number_digits=args.number_digits,
        parent_authority=args.parent_authority,
        drill=args.drill,
    )
    drill = " (cơ sở dữ liệu diễn tập, tập huấn)" if settings.drill else ""
    out.emit(
        f"Đã thiết lập quầy {settings.counter} của cơ quan {settings.agency_code}{drill} "
        f"tại {services.context.database.path}",
        {
            "agency_code": settings.agency_code,
            "counter": settings.counter,
            "drill": settings.drill,
            "db": str(services.context.database.path),
        },
    )
    return 0


@command("due-date")
def due_date(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    received = parse_local_moment(args.received, "received")
    mode = DueMode(args.mode) if args.mode else None
    if args.procedure:
        procedure = services.catalogue.get_procedure(args.procedure)
        appointment = services.calendar.appointment(received, procedure.days, procedure.same_day_cutoff, mode)
    else:
        if args.days < 0:
            raise ValidationError("days", "Số ngày làm việc không được âm.")
        appointment = services.calendar.appointment(received, args.days, None, mode)
    estimated = " (lịch ước tính, chưa có quyết định chính thức)" if appointment.estimated else ""
    out.emit(
        f"Hẹn trả kết quả: {vn_moment(appointment.due)} — lịch {appointment.calendar_version}{estimated}",
        {
            "due": iso_minute(appointment.due),
            "calendar_version": appointment.calendar_version,
            "estimated": appointment.estimated,
        },
    )
    return 0


@command("calendar")
def calendar(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    year = services.calendar.get_year(args.year)
    lines = [
        f"Lịch làm việc năm {year.year} — phiên bản {year.version}"
        + (" (ƯỚC TÍNH: chưa có quyết định chính thức)" if year.estimated else ""),
        f"Nguồn: {year.source}",
        "Ngày nghỉ:",
        *(f"  {d.date:%d/%m/%Y}  {d.name}" for d in year.days_off),
        "Ngày làm việc vào cuối tuần:",
        *(f"  {d.date:%d/%m/%Y}  {d.name}" for d in year.working_days),
    ]
    out.emit("\n".join(lines), year.to_json_dict())
    return 0


@command("calendar-import")
def calendar_import(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    year = services.calendar.import_file(Path(args.file))
    out.emit(
        f"Đã nhập lịch năm {year.year}, phiên bản {year.version}: {len(year.days_off)} ngày nghỉ, "
        f"{len(year.working_days)} ngày làm bù.",
        year.to_json_dict(),
    )
    return 0


@command("procedures")
def procedures(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    items = services.catalogue.list_procedures(args.search)
    lines = []
    for p in items:
        time_text = f"trong ngày (trước {p.same_day_cutoff})" if p.same_day_cutoff else f"{p.days} ngày làm việc"
        lines.append(f"{p.code:<12} {p.name} — {p.field}; {time_text}" + (" [minh họa]" if p.demo else ""))
    out.emit(
        "\n".join(lines) if lines else "Không có thủ tục phù hợp.",
        [
            {
                "code": p.code,
                "name": p.name,
                "field": p.field,
                "days": p.days,
                "same_day_cutoff": p.same_day_cutoff,
            }
            for p in items
        ],
    )
    return 0


@command("config")
def config(args: argparse.Namespace, out: Output) -> int:
    services = open_services(args)
    if args.action == "set":
        if args.value is None:
            raise ValidationError("value", "Cần giá trị cho thiết lập.")
        services.setup.set_setting(args.key, args.value)
    value = services.setup.get_setting(args.key)
    out.emit(str(value), {args.key: value})
    return 0
