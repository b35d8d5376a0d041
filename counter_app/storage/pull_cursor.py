"""The pull cursor: how far this counter has read the central's log, kept in the local settings."""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.storage.database import Database
from counter_app.storage.unit_of_work import UnitOfWork

CURSOR_KEY = "sync_cursor"


@dataclass(frozen=True, order=True)
class PullCursor:
    """Position in the central log: (inserting transaction, server_seq); everything up to it is held locally."""

    tx: int = 0
    seq: int = 0

    def text(self) -> str:
        return f"{self.tx}:{self.seq}"

    @classmethod
    def parse(cls, text: str | None) -> PullCursor:
        if not text:
            return cls()
        tx, _, seq = text.partition(":")
        return cls(int(tx), int(seq or 0))


def read_cursor(database: Database) -> PullCursor:
    """Where the next pull starts: the start of the central's log before the first."""
    with UnitOfWork(database) as uow:
        return PullCursor.parse(uow.settings.get(CURSOR_KEY))
