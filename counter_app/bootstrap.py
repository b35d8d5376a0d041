"""Composition root without Qt: opens the database, upgrades it, builds the services; used by cli and app.

The registry of services (`Services`, services/registry.py) builds the ones a short command does not need on
first use, so that their modules load only when asked for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from counter_app.domain.clock import Clock
from counter_app.services.common.context import ServiceContext
from counter_app.services.registry import Services, build_registry
from counter_app.storage.database import open_database
from counter_app.storage.migrate import current_revision, needs_upgrade, upgrade

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from counter_app.services.maintenance.backups import BackupService
    from counter_app.services.maintenance.doctor import DoctorService
    from counter_app.services.maintenance.integrity import IntegrityService

__all__ = ["Maintenance", "Services", "build_maintenance", "build_services"]

log = logging.getLogger(__name__)


@dataclass
class Maintenance:
    """Backup, restore and checks over a database that is neither upgraded nor seeded (it may be damaged)."""

    context: ServiceContext
    backup: BackupService
    integrity: IntegrityService
    doctor: DoctorService

    @property
    def clock(self) -> Clock:
        """The clock the maintenance runs on, as `Services.clock` (the maintenance watcher reads either)."""
        return self.context.clock

    def close(self) -> None:
        self.context.database.dispose()


def build_maintenance(db_path: Path, clock: Clock, *, data_dir: Path | None = None) -> Maintenance:
    """The maintenance services over `db_path`; nothing is created or changed by building them."""
    from counter_app.services.maintenance.backups import BackupService
    from counter_app.services.maintenance.doctor import DoctorService
    from counter_app.services.maintenance.integrity import IntegrityService

    database = open_database(db_path, create=False, damaged_ok=True)  # a damaged file must still be replaced
    context = ServiceContext(database=database, clock=clock, data_dir=data_dir or db_path.parent)
    backup = BackupService(context)
    integrity = IntegrityService(context, backup)
    return Maintenance(context, backup, integrity, DoctorService(context, backup, integrity))


def build_services(
    db_path: Path,
    clock: Clock,
    *,
    data_dir: Path | None = None,
    clerk: str = "",
    hasher: PasswordHasher | None = None,
) -> Services:
    """Open (creating and upgrading as needed) the local database at `db_path` and wire the services.

    `hasher`: the accounts' password hasher (tests pass a cheap one; the default is Argon2id)."""
    fresh = not db_path.exists()
    database = open_database(db_path)
    context = ServiceContext(database=database, clock=clock, data_dir=data_dir or db_path.parent)
    context.clerk = clerk
    if not fresh and needs_upgrade(database.writer) and current_revision(database.writer) is not None:
        from counter_app.services.maintenance.backups import BackupService

        log.info("schema upgrade ahead: backup first to %s", BackupService(context).backup_before_upgrade().name)
    upgrade(database.writer)
    services = build_registry(context, hasher=hasher)
    if fresh:
        log.info("new local database created")
    services.setup.ensure_seeded()
    return services
