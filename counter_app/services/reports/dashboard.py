"""The dashboard: dossiers received per day, the on-time rate per month, what is overdue now per agency."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from counter_app.domain.clock import VN_TZ, to_vn
from counter_app.services.common.context import ServiceContext
from counter_app.services.reports.group_totals import breakdown, group_total
from counter_app.services.reports.report_views import AgencyOverdue, DashboardView, DayCount, MonthRate


def get_dashboard(context: ServiceContext, *, days: int = 30, months: int = 12) -> DashboardView:
    """Dossiers received per day (last `days` days), on-time rate per month (last `months`), overdue now."""
    now = context.clock.now()
    today = to_vn(now).date()
    first_day = today - timedelta(days=max(1, days) - 1)
    tomorrow = datetime.combine(today + timedelta(days=1), time(0, 0), tzinfo=VN_TZ)
    year, month = today.year, today.month - (max(1, months) - 1)
    while month < 1:
        year, month = year - 1, month + 12
    first_month = datetime(year, month, 1, tzinfo=VN_TZ)
    with context.uow() as uow:
        q = uow.reports
        per_day = q.received_per_day(datetime.combine(first_day, time(0, 0), tzinfo=VN_TZ), tomorrow)
        per_month = {m.month: m for m in q.resolved_per_month(first_month, tomorrow)}
        open_groups = q.open_at(now)
    day_counts = tuple(
        DayCount(first_day + timedelta(days=i), per_day.get(first_day + timedelta(days=i), 0))
        for i in range((today - first_day).days + 1)
    )
    month_rates = []
    for _ in range(max(1, months)):
        found = per_month.get(f"{year:04d}-{month:02d}")
        resolved = found.early + found.on_time + found.late if found else 0
        month_rates.append(MonthRate(year, month, resolved, found.early + found.on_time if found else 0))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    agencies = [
        AgencyOverdue(row.key, row.overdue, row.late_without_apology)
        for row in breakdown(open_groups, lambda g: (g.key.deciding_agency, g.key.deciding_agency))
        if row.overdue
    ]
    agencies.sort(key=lambda a: (-a.overdue, a.agency))
    return DashboardView(
        as_of=now,
        days=day_counts,
        months=tuple(month_rates),
        overdue_by_agency=tuple(agencies),
        pending=group_total(open_groups, "pending"),
        overdue=group_total(open_groups, "overdue"),
        received_today=per_day.get(today, 0),
    )
