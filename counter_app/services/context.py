"""What every service is built with: the database, the clock, the data folder and who is at the counter."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from counter_app.domain.clock import Clock
from counter_app.services.settings import Settings, settings_from_store
from counter_app.storage.database import Database
from counter_app.storage.unit_of_work import UnitOfWork


@dataclass
class ServiceContext:
    database: Database
    clock: Clock
    data_dir: Path
    clerk: str = ""
    _settings: Settings | None = field(default=None, repr=False)

    def uow(self, *, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self.database, write=write)

    def settings(self) -> Settings:
        if self._settings is None:
            with self.uow() as uow:
                self._settings = settings_from_store(uow.settings.all())
        return self._settings

    def forget_settings(self) -> None:
        self._settings = None

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "documents"
