"""Repository of the administration log (storage.admin_models): append and read, never update."""

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
    ) -> AdminEventRow:
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
        return row

    def latest(self, *, subject: str | None = None, limit: int = 200) -> list[AdminEventRow]:
        """Newest first."""
        query = select(AdminEventRow)
        if subject is not None:
            query = query.where(AdminEventRow.subject == subject)
        query = query.order_by(AdminEventRow.id.desc()).limit(limit)
        return list(self.session.scalars(query).all())
