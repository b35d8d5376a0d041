"""What the health check reports: the statuses, one check's result, and the whole report with its recovery plan.

Statuses: "ok"; "warning" (works, but needs attention); "problem" (only the database integrity check: the
data is damaged); "unknown" (could not be checked here); "skipped" (not configured).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from counter_app.services.maintenance.integrity import RecoveryPlan

OK, WARNING, PROBLEM, UNKNOWN, SKIPPED = "ok", "warning", "problem", "unknown", "skipped"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    summary: str
    action: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DoctorReport:
    checks: tuple[Check, ...]
    recovery: RecoveryPlan | None

    @property
    def integrity_problem(self) -> bool:
        return any(check.status == PROBLEM for check in self.checks)

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)
