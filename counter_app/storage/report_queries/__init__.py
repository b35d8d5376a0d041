"""Aggregate SQL of the reports over the dossier projection and the event log: counted in the database.

Timestamps are stored as ISO 8601 text in Vietnam's time (`2026-03-02T10:00:00+07:00`, see storage/types.py), so
the first 10 characters are the Vietnamese calendar day and the first 16 the minute: days, months and the
minute comparisons of domain/lateness.py are done on that text, inside the database. The definitions these
queries implement are written in services/reports/period_reports.py and docs/reports.md.

Indexes (migration 0003): events of one kind in a period are a range of ix_event_kind_time; dossiers finished in a
period, or still open at a moment, a range of ix_dossier_finished; dossiers received in a period a range of
ix_dossier_received. The database has no statistics (no ANALYZE), and SQLite's planner then prefers an equality
on `stage` to a range on `finished_at` even when the equality selects nearly every dossier, and an equality on an
event's kind to its dossier in a correlated subquery: `_unindexed` keeps such a term out of the index choice.
tests/storage/test_report_plans.py holds the queries to these plans.
"""

from counter_app.storage.report_queries.queries import ReportQueries
from counter_app.storage.report_queries.records import (
    AnswerCount,
    BookLine,
    GroupCounts,
    GroupKey,
    Intake,
    LateLine,
    MonthResolved,
)

__all__ = ["AnswerCount", "BookLine", "GroupCounts", "GroupKey", "Intake", "LateLine", "MonthResolved", "ReportQueries"]
