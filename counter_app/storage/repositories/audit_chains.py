"""The audit chains of the event log as the audit reads them: the chains held, their links, their heads."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from counter_app.domain.audit_chain import ChainLink
from counter_app.storage.event_chain import chain_links, chain_links_sent, chain_tail, chains
from counter_app.storage.projection_check import ProjectionDifference, projection_differences


class AuditChainRepository:
    """Reads only; the links are streamed, so consume them inside the unit of work that gave them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def chains(self) -> list[tuple[str, int]]:
        """(agency code, counter) of every chain with events here."""
        return chains(self.session)

    def links(self, agency_code: str, counter: int) -> Iterator[ChainLink]:
        """A counter's chain in sequence order."""
        return chain_links(self.session, agency_code, counter)

    def links_sent(self, agency_code: str, counter: int) -> Iterator[tuple[ChainLink, bool]]:
        """A counter's chain in sequence order, each link with whether the central has it."""
        return chain_links_sent(self.session, agency_code, counter)

    def head(self, agency_code: str, counter: int) -> tuple[int, str]:
        """(seq, hash) of the newest link of a counter's chain; (0, "") when there is none."""
        return chain_tail(self.session, agency_code, counter)

    def projection_differences(self) -> list[ProjectionDifference]:
        """Every dossier row that differs from the replay of its sealed events."""
        return projection_differences(self.session)
