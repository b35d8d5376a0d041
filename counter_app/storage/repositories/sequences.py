"""Numbering sequences (receipt numbers, book numbers): the next number of a scope."""

from __future__ import annotations

from sqlalchemy.orm import Session

from counter_app.storage.models import SequenceRow


class SequenceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def next(self, scope: str) -> int:
        """The next number of a scope; safe because write transactions begin IMMEDIATE (one writer at a time)."""
        row = self.session.get(SequenceRow, scope)
        if row is None:
            row = SequenceRow(scope=scope, last=0)
            self.session.add(row)
        row.last += 1
        return row.last

    def set(self, scope: str, last: int) -> None:
        row = self.session.get(SequenceRow, scope) or SequenceRow(scope=scope)
        row.last = last
        self.session.add(row)

    def peek(self, scope: str) -> int:
        row = self.session.get(SequenceRow, scope)
        return row.last if row else 0

    def raise_to(self, scope: str, number: int) -> None:
        """Make `number` used in the scope: the next one issued comes after it (a higher last stays)."""
        row = self.session.get(SequenceRow, scope)
        if row is None:
            self.session.add(SequenceRow(scope=scope, last=number))
        elif row.last < number:
            row.last = number
