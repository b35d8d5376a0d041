"""The tamper-evident chain of a counter's events: canonical bytes, the HMAC of each link, and the walk that checks it.

Each event stores `prev_hash` (the `hash` of the previous event of its counter, "" for the first) and
`hash` = HMAC-SHA256(key, canonical bytes). Editing, deleting or inserting a stored row, or recomputing the
hashes without the key, leaves a link that no longer checks. The walk names every break, in order: after one
it goes on, so that a first break cannot hide later, independent tampering. Damage that one change causes to
the rows after it (a row whose HMAC fails, then the rows linked to it that fail too, as after a recomputed
chain or renumbered rows) is one break, named at its first row.

A lost key that had to be made again is itself an event of the chain (`EventKind.KEY_REPLACED`, sealed with the new
key): the rows before it can no longer be checked, and the walk says that a key change explains them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

from counter_app.domain.event_kinds import EventKind


@dataclass(frozen=True)
class ChainLink:
    """An event as stored: every text exactly as written in the database (payload JSON, ISO 8601 moment)."""

    uuid: str
    kind: str
    dossier_uuid: str | None
    payload: str
    occurred_at: str
    agency_code: str
    counter: int
    seq: int
    clerk: str
    prev_hash: str
    hash: str = ""


def canonical_bytes(link: ChainLink) -> bytes:
    """One unambiguous encoding of what the hash covers (a JSON array: no field can bleed into the next)."""
    fields = [
        link.uuid,
        link.kind,
        link.dossier_uuid,
        link.payload,
        link.occurred_at,
        link.agency_code,
        link.counter,
        link.seq,
        link.clerk,
        link.prev_hash,
    ]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def link_hash(key: bytes, link: ChainLink) -> str:
    return hmac.new(key, canonical_bytes(link), hashlib.sha256).hexdigest()


def seal(key: bytes, link: ChainLink) -> ChainLink:
    """The link with its hash computed (prev_hash must already be set)."""
    return replace(link, hash=link_hash(key, link))


class Breakage(StrEnum):
    EDITED = "edited"  # the row's content (or its hash alone) changed after it was written
    MISSING = "missing"  # a gap in seq: a row was deleted
    INSERTED = "inserted"  # the row does not follow its predecessor: added or forged
    REHASHED = "rehashed"  # the chain was recomputed from this row on without the key
    NO_KEY = "no_key"  # this counter's key is not found: nothing can be checked
    # the rows up to a recorded key replacement, sealed with the lost key: they cannot be checked any more
    KEY_REPLACED = "key_replaced"
    # the central's copy of this counter's chain against the (verified) local one
    CENTRAL_EDITED = "central_edited"  # the central holds this event with another content, hash or link
    CENTRAL_MISSING = "central_missing"  # an event sent to the central is not there
    CENTRAL_EXTRA = "central_extra"  # the central holds an event of this counter that this chain does not


BREAKAGE_MESSAGES = {
    Breakage.EDITED: "nội dung sự kiện đã bị sửa sau khi ghi (mã kiểm tra không khớp)",
    Breakage.MISSING: "thiếu sự kiện (đã bị xóa khỏi cơ sở dữ liệu)",
    Breakage.INSERTED: "sự kiện không nối tiếp sự kiện trước nó (bị chèn thêm hoặc giả mạo)",
    Breakage.REHASHED: "mã kiểm tra đã bị tính lại mà không có khóa kiểm toán (sửa nội dung rồi tính lại chuỗi)",
    Breakage.NO_KEY: "không tìm thấy khóa kiểm toán của quầy này nên không kiểm tra được",
    Breakage.KEY_REPLACED: (
        "khóa kiểm toán cũ đã bị mất và một khóa mới đã được tạo (việc này được ghi lại thành một sự kiện): "
        "các sự kiện từ đây đến trước sự kiện đó không kiểm tra được nữa"
    ),
    Breakage.CENTRAL_EDITED: "bản sao trên máy chủ trung tâm khác với sự kiện trên máy này (bị sửa trên máy chủ)",
    Breakage.CENTRAL_MISSING: "máy chủ trung tâm thiếu sự kiện đã được đồng bộ (bị xóa trên máy chủ)",
    Breakage.CENTRAL_EXTRA: (
        "máy chủ trung tâm có sự kiện của quầy này mà máy này không có (bị chèn trên máy chủ, hoặc bị xóa khỏi máy này)"
    ),
}


@dataclass(frozen=True)
class ChainBreak:
    """A broken link of a chain. For a gap, `seq` is the missing number and `event_uuid` the row after it."""

    agency_code: str
    counter: int
    seq: int
    event_uuid: str
    what: Breakage

    @property
    def message(self) -> str:
        return BREAKAGE_MESSAGES[self.what]

    def as_dict(self) -> dict[str, object]:
        return {
            "agency_code": self.agency_code,
            "counter": self.counter,
            "seq": self.seq,
            "event_uuid": self.event_uuid,
            "what": self.what.value,
            "message": self.message,
        }


@dataclass(frozen=True)
class ChainCheck:
    """`checked`: the links judged when the first break was found (all of them when none was); `broken`: the
    first break; `later`: the breaks after it, in order."""

    checked: int
    broken: ChainBreak | None
    later: tuple[ChainBreak, ...] = ()

    @property
    def ok(self) -> bool:
        return self.broken is None

    @property
    def breaks(self) -> tuple[ChainBreak, ...]:
        """Every break, in chain order, the first one included."""
        return () if self.broken is None else (self.broken, *self.later)


def _break(link: ChainLink, what: Breakage, seq: int | None = None) -> ChainBreak:
    return ChainBreak(link.agency_code, link.counter, link.seq if seq is None else seq, link.uuid, what)


def _classify_bad_hash(bad: ChainLink, before: ChainLink | None, after: ChainLink | None, key: bytes) -> ChainBreak:
    """Why a link's HMAC fails, judged by its neighbours (only the key-holder could have made them agree)."""
    if after is not None and after.seq == bad.seq + 1:
        if after.prev_hash == bad.hash and not hmac.compare_digest(after.hash, link_hash(key, after)):
            # the next row points at the bad hash and is itself wrong: the rest was recomputed to match
            return _break(bad, Breakage.REHASHED)
        if after.prev_hash == (before.hash if before is not None else "") and after.prev_hash != bad.hash:
            # the next row was made right after this one's predecessor: this one was slipped in between
            return _break(bad, Breakage.INSERTED)
    return _break(bad, Breakage.EDITED)


def _breaks_link(link: ChainLink, previous: ChainLink | None) -> bool:
    """Whether `link` fails to point at the row before it (only judged between consecutive seqs, or at seq 1)."""
    if previous is not None and link.seq == previous.seq + 1:
        return link.prev_hash != previous.hash
    return link.seq == 1 and link.prev_hash != ""


class _Walk:
    """The state of `verify_chain` between two links."""

    def __init__(self, key: bytes | None, *, complete: bool) -> None:
        self.key = key
        self.complete = complete
        self.checked = 0
        self.first_checked: int | None = None  # `checked` when the first break was found
        self.breaks: list[ChainBreak] = []
        self.previous: ChainLink | None = None
        self.previous_bad = False  # the previous row failed its HMAC or its link: a break names it already
        # a row whose HMAC failed, with its predecessor and the key, judged once the next row is seen
        self.suspect: tuple[ChainLink, ChainLink | None, bytes] | None = None
        # the index of the HMAC break whose damaged rows the walk is in, when no row before them checked with the
        # key (a lost key leaves every row before its replacement unverifiable, and only those)
        self.run: int | None = None
        self.verified = False  # a row checked with the key

    def found(self, broken: ChainBreak) -> None:
        if self.first_checked is None:
            self.first_checked = self.checked
        self.breaks.append(broken)

    def judge_suspect(self, suspect: tuple[ChainLink, ChainLink | None, bytes], after: ChainLink | None) -> set[str]:
        """Name the suspect's break; the hashes the rows after it may point at as part of the same damage."""
        bad, before, key = suspect
        broken = _classify_bad_hash(bad, before, after, key)
        self.found(broken)
        self.run = None if self.verified else len(self.breaks) - 1
        self.suspect = None
        if broken.what is Breakage.INSERTED and before is not None:
            return {bad.hash, before.hash}  # slipped in: the next row points at the row it was slipped after
        return {bad.hash}

    def step(self, link: ChainLink) -> None:
        suspect = self.suspect
        damaged = set() if suspect is None else self.judge_suspect(suspect, link)
        self.checked += 1
        previous = self.previous
        expected_seq = previous.seq + 1 if previous is not None else 1
        gap = self.complete and link.seq != expected_seq
        if gap:
            self.found(_break(link, Breakage.MISSING, seq=expected_seq))
        # the row after a damaged one may point elsewhere (the damaged row's hash changed): that break explains it
        link_broken = not gap and not self.previous_bad and _breaks_link(link, previous)
        if link_broken:
            self.found(_break(link, Breakage.INSERTED))
        bad = self.key is not None and not hmac.compare_digest(link.hash, link_hash(self.key, link))
        linked_to_damage = previous is not None and self.previous_bad and link.prev_hash == previous.hash
        # a bad row that points at a damaged row (right after a break: at what that break damaged) is the same
        # damage, named once at its first row; a row whose link is broken is named for that already
        absorbed = bad and (linked_to_damage or link.prev_hash in damaged)
        if self.key is not None and bad and not absorbed and not link_broken:
            self.suspect = (link, previous, self.key)
        # the rows sealed with a lost key are every row before the recorded key change, which directly follows
        # them and is sealed with the key (only the key-holder can record a key change)
        run = self.run
        if run is not None and linked_to_damage and not bad and link.kind == EventKind.KEY_REPLACED:
            self.breaks[run] = replace(self.breaks[run], what=Breakage.KEY_REPLACED)
        self.verified = self.verified or (self.key is not None and not bad)
        if not absorbed:
            self.run = None
        self.previous_bad = bad or link_broken
        self.previous = link

    def finish(self) -> ChainCheck:
        if self.suspect is not None:
            self.judge_suspect(self.suspect, None)
        if not self.breaks:
            return ChainCheck(self.checked, None)
        assert self.first_checked is not None
        return ChainCheck(self.first_checked, self.breaks[0], tuple(self.breaks[1:]))


def verify_chain(links: Iterable[ChainLink], key: bytes | None, *, complete: bool) -> ChainCheck:
    """Walk one counter's links in seq order; every broken one, in order (`broken` is the first).

    `complete`: the chain must start at seq 1 without gaps (this installation's own counter). Otherwise (events
    pulled from the central) only the rows it may see are here: gaps are normal, and links are checked only
    between consecutive rows. With `key`, every link's HMAC is checked too; without, only the linkage.
    """
    walk = _Walk(key, complete=complete)
    for link in links:
        walk.step(link)
    return walk.finish()


@dataclass(frozen=True)
class HeldLink:
    """One link of a counter's chain as the central holds it: an event, or only the link of an event the central
    refused (withheld: uuid, seq and hashes, no content)."""

    link: ChainLink
    withheld: bool = False


def compare_with_central(local: Iterable[tuple[ChainLink, bool]], central: Iterable[HeldLink]) -> ChainCheck:
    """The first divergence between a counter's verified local chain and the central's copy of it.

    `local`: the chain in seq order, each link with whether the central must hold it (sent, or refused and
    withheld); a link not yet sent may be there or not (the acknowledgement of a batch can be lost). `central`:
    what the central holds of this counter, in any order. Same links at the same places, same contents and
    hashes, nothing missing, nothing extra; `checked` counts the central's links compared.
    """
    held = {h.link.seq: h for h in central}
    checked = 0
    for link, expected in local:
        copy = held.pop(link.seq, None)
        if copy is None:
            if expected:
                return ChainCheck(checked, _break(link, Breakage.CENTRAL_MISSING))
            continue
        checked += 1
        if copy.withheld:
            same = (copy.link.uuid, copy.link.prev_hash, copy.link.hash) == (link.uuid, link.prev_hash, link.hash)
        else:
            same = copy.link == link
        if not same:
            return ChainCheck(checked, _break(link, Breakage.CENTRAL_EDITED))
    if held:
        extra = held[min(held)]
        return ChainCheck(checked + 1, _break(extra.link, Breakage.CENTRAL_EXTRA))
    return ChainCheck(checked, None)
