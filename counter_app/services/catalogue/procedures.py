"""The catalogue of procedures: listing, search without diacritics, the demo catalogue, and its administration.

Administration (add, edit, deactivate, import a catalogue file) needs Permission.CATALOGUE; each change is
recorded in the administration log (storage.repositories.admin_log) with who, where, when, and the procedure
before and after, and as an event of the counter's audit chain. A change applies to dossiers taken in afterwards
only: a dossier copies its procedure's time, cut-off, fee and papers when it is received.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app.domain.citizen import fold
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.json_text import InvalidJson, parse_json
from counter_app.domain.procedure import ProcedureSpec, validate_catalogue, validate_procedure
from counter_app.domain.roles import Permission
from counter_app.errors import CounterError, FormInvalid, NotFoundError
from counter_app.services.catalogue.admin_log import (
    CENTRAL_APPLIED,
    PROCEDURE_CREATED,
    PROCEDURE_DEACTIVATED,
    PROCEDURE_UPDATED,
    AdminEventView,
    event_view,
    record_admin_event,
)
from counter_app.services.catalogue.procedure_records import admin_view, procedure_specs, procedure_view
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.views import ProcedureView

if TYPE_CHECKING:
    from counter_app.sync.catalogue_sync import Published

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CatalogueImport:
    """What importing a catalogue file changed."""

    version: str
    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: int


@dataclass(frozen=True)
class CentralApplied:
    """What the central's published catalogue and calendar changed on this counter at a sync."""

    procedures: tuple[str, ...]
    years: tuple[int, ...]


class CatalogueService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    # reading
    def list_procedures(self, search: str = "", *, include_inactive: bool = False) -> list[ProcedureView]:
        """Active procedures matching `search` (without marks); with `include_inactive`, AdminProcedureViews of all."""
        folded = fold(search)
        with self.context.uow() as uow:
            if not include_inactive:
                return [procedure_view(r) for r in uow.procedures.search(folded, search.strip())]
            return [admin_view(r) for r in uow.procedures.search(folded, search.strip(), include_inactive=True)]

    def get_procedure(self, code: str) -> ProcedureView:
        """An active procedure by its code (what intake offers); a deactivated one is refused."""
        with self.context.uow() as uow:
            row = uow.procedures.get(code.strip())
            if row is None:
                raise NotFoundError(f"Không có thủ tục mã “{code}” trong danh mục.")
            if not row.active:
                raise NotFoundError(f"Thủ tục mã “{row.code}” đã ngừng áp dụng.")
            return procedure_view(row)

    def get_procedure_spec(self, code: str) -> ProcedureSpec:
        """The procedure as the editor shows it (inactive ones too)."""
        with self.context.uow() as uow:
            spec = uow.procedures.get(code.strip())
            if spec is None:
                raise NotFoundError(f"Không có thủ tục mã “{code}” trong danh mục.")
            return spec

    def may_administer(self) -> bool:
        """Whether the signed-in role may edit the catalogue (the screens show or hide the editor by it)."""
        return self.context.may(Permission.CATALOGUE)

    def list_admin_events(self, subject: str | None = None, limit: int = 200) -> list[AdminEventView]:
        """The administration log, newest first; `subject` like "procedure:1.001193" or "calendar:2027"."""
        with self.context.uow() as uow:
            return [event_view(r) for r in uow.admin_log.latest(subject=subject, limit=limit)]

    # administration
    def save_procedure(self, data: Mapping[str, Any] | ProcedureSpec, *, new: bool) -> ProcedureSpec:
        """Add (`new`) or change a procedure; the code of an existing procedure never changes.

        FormInvalid names each wrong field with its Vietnamese message; dossiers already received keep what they
        copied from the procedure (their due dates included).
        """
        self.context.require(Permission.CATALOGUE)
        raw = data.to_json_dict() if isinstance(data, ProcedureSpec) else dict(data)
        spec = validate_procedure(raw)
        with self.context.uow(write=True) as uow:
            existing = uow.procedures.get(spec.code)
            if new and existing is not None:
                state = "" if existing.active else " (đang ngừng áp dụng; mở thủ tục đó để áp dụng lại)"
                raise FormInvalid({"code": f"Mã thủ tục {spec.code} đã có trong danh mục{state}."})
            if not new and existing is None:
                raise FormInvalid({"code": f"Không có thủ tục mã {spec.code} trong danh mục để sửa."})
            before = existing
            if before == spec:
                return spec
            uow.procedures.save(spec)
            record_admin_event(
                self.context,
                uow,
                kind=PROCEDURE_CREATED if before is None else PROCEDURE_UPDATED,
                subject=f"procedure:{spec.code}",
                before=before.to_json_dict() if before is not None else None,
                after=spec.to_json_dict(),
                chain_kind=EventKind.PROCEDURE_SAVED,
            )
            uow.commit()
        log.info("procedure %s %s", spec.code, "added" if before is None else "changed")
        return spec

    def deactivate_procedure(self, code: str) -> ProcedureSpec:
        """Stop offering a procedure at intake; it stays in the catalogue (old dossiers name it), can be re-enabled."""
        self.context.require(Permission.CATALOGUE)
        with self.context.uow(write=True) as uow:
            before = uow.procedures.get(code.strip())
            if before is None:
                raise NotFoundError(f"Không có thủ tục mã “{code}” trong danh mục.")
            if not before.active:
                return before
            uow.procedures.set_active(before.code, False)
            after = replace(before, active=False)
            record_admin_event(
                self.context,
                uow,
                kind=PROCEDURE_DEACTIVATED,
                subject=f"procedure:{before.code}",
                before=before.to_json_dict(),
                after=after.to_json_dict(),
                chain_kind=EventKind.PROCEDURE_DEACTIVATED,
            )
            uow.commit()
        return after

    def import_catalogue(self, path: Path) -> CatalogueImport:
        """An administrator's import of a catalogue file (resources/catalogue format): all valid or nothing changes."""
        self.context.require(Permission.CATALOGUE)
        version, specs = validate_catalogue(_read_json(path))
        added: list[str] = []
        updated: list[str] = []
        with self.context.uow(write=True) as uow:  # autoflush on: each chain link reads the one before
            stored = uow.procedures.many([s.code for s in specs])
            for spec in specs:
                before = stored.get(spec.code)
                if before == spec:
                    continue
                uow.procedures.save(spec, new=before is None)
                record_admin_event(
                    self.context,
                    uow,
                    kind=PROCEDURE_CREATED if before is None else PROCEDURE_UPDATED,
                    subject=f"procedure:{spec.code}",
                    before=before.to_json_dict() if before is not None else None,
                    after=spec.to_json_dict(),
                    chain_kind=EventKind.PROCEDURE_SAVED,
                )
                (added if before is None else updated).append(spec.code)
            uow.commit()
        return CatalogueImport(version, tuple(added), tuple(updated), len(specs) - len(added) - len(updated))

    def load_catalogue_file(self, path: Path) -> int:
        """Add or replace the procedures of a catalogue JSON file; returns how many (seeding, no log entry)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        specs = procedure_specs(data, demo=bool(data.get("demo", False)))
        with self.context.uow(write=True) as uow:
            for spec in specs:
                uow.procedures.save(spec)
            uow.commit()
        return len(specs)

    # the central's versions
    def local_digests(self) -> tuple[dict[str, str], dict[int, str]]:
        """Digest of every local procedure and calendar year, to ask the central only for what differs."""
        from counter_app.sync.catalogue_sync import calendar_digest

        with self.context.uow() as uow:
            procedures = {r.code: r.digest() for r in uow.procedures.search(include_inactive=True)}
            years = {r.year: calendar_digest(r.data) for r in uow.calendar.all()}
        return procedures, years

    def apply_published(self, published: Published) -> CentralApplied:
        """Make the local catalogue and calendar equal to the central's published versions that differ.

        A local edit of the same procedure or year is overridden, and the override is logged as
        CENTRAL_APPLIED with the local version as `before`.
        """
        if not published.procedures and not published.calendars:
            return CentralApplied((), ())
        applied: list[str] = []
        years: list[int] = []
        # no chain links here, so nothing needs flushing before the commit
        with self.context.uow(write=True) as uow, uow.no_autoflush():
            existing = uow.procedures.many([s.code for s in published.procedures])
            for spec in published.procedures:
                before = existing.get(spec.code)
                if before == spec:
                    continue
                uow.procedures.save(spec, new=before is None)
                record_admin_event(
                    self.context,
                    uow,
                    kind=CENTRAL_APPLIED,
                    subject=f"procedure:{spec.code}",
                    before=before.to_json_dict() if before is not None else None,
                    after=spec.to_json_dict(),
                    source="central",
                )
                applied.append(spec.code)
            stored = {r.year: r for r in uow.calendar.all()}
            for cal in published.calendars:
                old = stored.get(cal.year)
                old_data = old.data if old is not None else None
                if old_data == cal.to_json_dict():
                    continue
                uow.calendar.put(
                    cal.year, cal.version, cal.source, cal.to_json_dict(), "central", self.context.clock.now()
                )
                record_admin_event(
                    self.context,
                    uow,
                    kind=CENTRAL_APPLIED,
                    subject=f"calendar:{cal.year}",
                    before=old_data,
                    after=cal.to_json_dict(),
                    source="central",
                )
                years.append(cal.year)
            uow.commit()
        if applied or years:
            log.info("central versions applied: %d procedures, %d calendar years", len(applied), len(years))
        return CentralApplied(tuple(applied), tuple(years))


def apply_published_from(
    context: ServiceContext, fetch: Callable[[dict[str, str], dict[int, str]], Published]
) -> CentralApplied | None:
    """The sync's last step: the city's published catalogue and calendar win locally. `fetch(procedure digests,
    year digests)` reads the published versions that differ (the sync service's client.published).

    A failure here is logged and leaves the local data as it was (the next sync tries again); it never undoes
    the exchange of events that came before.
    """
    service = CatalogueService(context)
    try:
        procedures, years = service.local_digests()
        return service.apply_published(fetch(procedures, years))
    except CounterError as exc:
        log.warning("central catalogue not applied: %s", exc.detail or type(exc).__name__)
        return None


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise FormInvalid({"file": f"Không tìm thấy tệp “{path}”."})
    try:
        return parse_json(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise FormInvalid({"file": f"Tệp {path.name} không phải văn bản UTF-8."}) from None
    except InvalidJson as exc:
        raise FormInvalid({"file": f"Tệp {path.name} {exc.reason}"}) from None
    except OSError as exc:
        raise FormInvalid({"file": f"Không đọc được tệp {path.name} ({type(exc).__name__})."}) from None
