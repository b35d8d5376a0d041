"""DossierBundle: what the dossier screen shows, read in one worker call, and the call that reads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from counter_app.domain.dossier import DossierState
from counter_app.domain.lateness import Lateness
from counter_app.services.common.views import DossierView, EventView

if TYPE_CHECKING:
    from counter_app.services.registry import Services


@dataclass(frozen=True)
class DossierBundle:
    """What the screen shows, read in one worker call."""

    state: DossierState
    view: DossierView
    timeline: list[EventView]
    lateness: Lateness | None


def load_dossier(services: Services, key: str) -> DossierBundle:
    """Runs in a worker: the dossier by code, slip number or UUID, with its timeline and lateness."""
    state = services.dossiers.get_state(key)
    view = services.dossiers.get_dossier(state.uuid)
    timeline = services.dossiers.timeline(state.uuid)
    lateness = services.queue.lateness_of([view]).get(view.uuid)
    return DossierBundle(state, view, timeline, lateness)
