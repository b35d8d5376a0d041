"""Changes: what a command changed, so that each screen decides whether to refresh (Anki's OpChanges)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    """What one command (or one sync) changed; empty fields mean "untouched".

    `any_dossier` stands for changes whose dossiers are not listed one by one (a sync that pulled events).
    """

    dossiers: frozenset[str] = frozenset()
    any_dossier: bool = False
    queue: bool = False  # the lists of dossiers and their counts
    catalogue: bool = False
    calendar: bool = False
    settings: bool = False

    def touches(self, dossier_uuid: str) -> bool:
        """Whether the dossier `dossier_uuid` may have changed."""
        return self.any_dossier or dossier_uuid in self.dossiers

    @property
    def empty(self) -> bool:
        return self == Changes()

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.dossiers | other.dossiers,
            self.any_dossier or other.any_dossier,
            self.queue or other.queue,
            self.catalogue or other.catalogue,
            self.calendar or other.calendar,
            self.settings or other.settings,
        )


def dossier_changed(dossier_uuid: str) -> Changes:
    """An action on one dossier: the dossier itself and the queues it appears in."""
    return Changes(dossiers=frozenset({dossier_uuid}), queue=True)


def after_sync(pulled: int) -> Changes:
    """A sync: sending changes only the dossiers' sync state; what it pulled may change any dossier, the queues,
    the catalogue and the calendar (the city's versions win locally)."""
    if pulled <= 0:
        return Changes(queue=True)
    return Changes(any_dossier=True, queue=True, catalogue=True, calendar=True)
