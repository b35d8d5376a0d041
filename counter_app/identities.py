"""New identities: the UUIDs of dossiers, events and records, and the key of a dossier's status link.

They read the clock and the system's randomness, so they are not in the domain (which does no I/O): services and
storage make them and hand them to the domain's records. Shared by those layers, like errors.py.
"""

from __future__ import annotations

import secrets
import uuid

from uuid6 import uuid7

from counter_app.domain.status_link import KEY_BYTES


def new_uuid() -> uuid.UUID:
    """Identity of a dossier or an event, made on the counter so offline counters never collide.

    Version 7 (RFC 9562): the creation time in milliseconds, then 76 random bits. Offline counters still never
    collide, and the keys a counter makes come in time order, so that the indexes keyed by them (the uuid and
    dossier indexes of the events, here and on the central, which holds every counter's) take new keys at their
    end rather than at random places: cheaper inserts, and pages that stay in memory.
    """
    return uuid7()


def new_status_key() -> str:
    """A dossier's status link key: 128 random bits (see domain.status_link)."""
    return secrets.token_urlsafe(KEY_BYTES)
