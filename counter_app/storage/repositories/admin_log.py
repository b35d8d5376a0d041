"""The administration log (storage.admin_models): append and read, never update."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.storage.admin_models import AdminEventRow


@dataclass(frozen=True)
class Actor:
    """Who made a change and where: recorded with every administration event."""

    clerk: str
    role: str
    agency_code: str
    counter: int


@dataclass(frozen=True)
class AdminEntry:
    """One entry of the administration log as stored; `before`/`after` are None when the change had none."""

    uuid: str
    occurred_at: datetime
    kind: str
    subject: str
    source: str
    clerk: str
    role: str
    agency_code: str
    counter: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _entry(row: AdminEventRow) -> AdminEntry:
    return AdminEntry(
        uuid=row.uuid,
        occurred_at=row.occurred_at,
        kind=row.kind,
        subject=row.subject,
        source=row.source,
        clerk=row.clerk,
        role=row.role,
        agency_code=row.agency_code,
        counter=row.counter,
        before=json.loads(row.before) if row.before else None,
        after=json.loads(row.after) if row.after else None,
    )


def _json(data: dict[str, Any] | None) -> str:
    return "" if data is None else json.dumps(data, ensure_ascii=False, sort_keys=True)


class AdminEventRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(
        self,
        *,
        uuid: str,
        kind: str,
        subject: str,
        at: datetime,
        actor: Actor,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        source: str = "local",
    ) -> None:
        row = AdminEventRow(
            uuid=uuid,
            occurred_at=at,
            kind=kind,
            subject=subject,
            source=source,
            clerk=actor.clerk,
            role=actor.role,
            agency_code=actor.agency_code,
            counter=actor.counter,
            before=_json(before),
            after=_json(after),
        )
        self.session.add(row)

    def latest(self, *, subject: str | None = None, limit: int = 200) -> list[AdminEntry]:
        """Newest first."""
        query = select(AdminEventRow)
        if subject is not None:
            query = query.where(AdminEventRow.subject == subject)
        query = query.order_by(AdminEventRow.id.desc()).limit(limit)
        return [_entry(row) for row in self.session.scalars(query)]
