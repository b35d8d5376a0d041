"""Exports of personal data are on the record (Decree 13/2023/NĐ-CP): what left the application, how much, by whom."""

from __future__ import annotations

import logging

from counter_app.identities import new_uuid
from counter_app.services.common.context import ServiceContext

log = logging.getLogger(__name__)


def record_export(context: ServiceContext, what: str, count: int) -> None:
    """Record that personal data left the application (`what` was exported: a report, a printout; `count` rows).

    The event holds no personal data itself: what kind of export, how many records, and who (the event's clerk).
    """
    settings = context.settings()
    if not settings.is_configured:
        log.info("export of %s not recorded: the counter is not set up", what)
        return
    now = context.clock.now()
    with context.uow(write=True) as uow:
        uow.events.append(
            uuid=str(new_uuid()),
            kind="data.exported",
            dossier_uuid=None,
            payload={"what": what, "count": int(count)},
            occurred_at=now,
            agency_code=settings.agency_code,
            counter=settings.counter,
            clerk=context.clerk,
        )
        uow.commit()
