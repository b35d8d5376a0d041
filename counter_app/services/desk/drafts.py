"""Drafts of unfinished forms (the intake screen's), kept in the local database across screens and restarts."""

from __future__ import annotations

import json
from typing import Any

from counter_app.errors import ValidationError
from counter_app.services.common.context import ServiceContext

MAX_DRAFT_CHARS = 200_000


class DraftService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def save_draft(self, key: str, data: dict[str, Any]) -> None:
        """Store (or replace) the draft under `key`; `data` must be JSON-serialisable."""
        if len(json.dumps(data, ensure_ascii=False)) > MAX_DRAFT_CHARS:
            raise ValidationError("draft", "Bản nháp quá lớn để lưu.")
        with self.context.uow(write=True) as uow:
            uow.drafts.put(key, data, self.context.clock.now())
            uow.commit()

    def load_draft(self, key: str) -> dict[str, Any] | None:
        with self.context.uow() as uow:
            return uow.drafts.get(key)

    def discard_draft(self, key: str) -> None:
        with self.context.uow(write=True) as uow:
            uow.drafts.delete(key)
            uow.commit()
