"""The counter's settings stored in the database (key and text value)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.storage.models import SettingRow


class SettingsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> str | None:
        row = self.session.get(SettingRow, key)
        return row.value if row else None

    def all(self) -> dict[str, str]:
        return {r.key: r.value for r in self.session.scalars(select(SettingRow)).all()}

    def put(self, key: str, value: str) -> None:
        row = self.session.get(SettingRow, key) or SettingRow(key=key)
        row.value = value
        self.session.add(row)
