"""Chains of sealed links for the audit chain's unit tests: one key, one counter, one dossier."""

from __future__ import annotations

from dataclasses import replace

from counter_app.domain.audit_chain import ChainLink, seal

KEY = b"counter-1-test-key-0123456789abc"
AGENCY = "000.17.22.H56"


def link(seq: int, prev: str, *, kind: str = "dossier.transferred") -> ChainLink:
    """Counter 1's event number `seq`, unsealed, pointing at `prev`."""
    return ChainLink(
        uuid=f"event-{seq}",
        kind=kind,
        dossier_uuid="dossier-1",
        payload=f'{{"step":{seq}}}',
        occurred_at=f"2026-03-02T09:{seq:02d}:00+07:00",
        agency_code=AGENCY,
        counter=1,
        seq=seq,
        clerk="Trần Thị Bình",
        prev_hash=prev,
    )


def sealed_chain(n: int, key: bytes = KEY, start: int = 1, prev: str = "") -> list[ChainLink]:
    """n sealed links from `start`, each pointing at the previous one's hash."""
    links: list[ChainLink] = []
    for seq in range(start, start + n):
        sealed = seal(key, link(seq, prev))
        links.append(sealed)
        prev = sealed.hash
    return links


def edited(row: ChainLink) -> ChainLink:
    """The row with another payload and its stored hash left alone, as an UPDATE of the database file would."""
    return replace(row, payload='{"step":99,"note":"đã sửa"}')
