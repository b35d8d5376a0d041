"""How far a counter's event has gone on its way to the central: the values of `event.sync_state`."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class EventDelivery(IntEnum):
    """An event's delivery, as the clerk and the audit see it; the value is what `event.sync_state` stores."""

    PENDING = 0  # not yet acknowledged by the central
    SENT = 1  # on the central: acknowledged, or pulled from it
    DEAD = 2  # refused by the central: a dead letter, no part of its dossier


class DossierDelivery(StrEnum):
    """Whether a dossier's own events have all reached the central, as the clerk is shown it."""

    SYNCED = "synced"
    PENDING = "pending"
    FAILED = "failed"  # one of them is a dead letter: the central refused it


def dossier_delivery(pending: int, dead: int) -> DossierDelivery:
    """A dossier's delivery from how many of its own events are pending and how many dead (a refusal shows first)."""
    if dead:
        return DossierDelivery.FAILED
    return DossierDelivery.PENDING if pending else DossierDelivery.SYNCED
