"""Column types shared by the models: Vietnamese-time timestamps stored as sortable ISO 8601 text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from counter_app.domain.clock import to_vn


def vn_text(value: datetime) -> str:
    """The text a VnDateTime column stores for `value` (what the audit chain hashes)."""
    return to_vn(value).isoformat(timespec="seconds")


class VnDateTime(TypeDecorator[datetime]):
    """A moment stored as ISO 8601 text in Vietnam's time (+07:00): one text order is one time order.

    Text rather than a native type keeps the value identical in SQLite and PostgreSQL and in the event payloads.
    """

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return vn_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return to_vn(datetime.fromisoformat(str(value)))
