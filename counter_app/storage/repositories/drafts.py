"""Drafts of forms being filled (intake), kept as JSON until accepted or discarded."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from counter_app.storage.models import DraftRow


class DraftRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> dict[str, Any] | None:
        row = self.session.get(DraftRow, key)
        return dict(json.loads(row.data)) if row else None

    def put(self, key: str, data: dict[str, Any], at: datetime) -> None:
        row = self.session.get(DraftRow, key) or DraftRow(key=key)
        row.data, row.updated_at = json.dumps(data, ensure_ascii=False), at
        self.session.add(row)

    def delete(self, key: str) -> None:
        row = self.session.get(DraftRow, key)
        if row is not None:
            self.session.delete(row)
