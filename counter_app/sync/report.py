"""The result of one sync, light enough to import at start-up (no database driver)."""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.errors import CentralUnreachable


@dataclass(frozen=True)
class SyncReport:
    """What one sync exchanged; `failed` counts events put in dead letter and dossiers that did not replay."""

    pushed: int
    pulled: int
    failed: int
    dossiers: int
    cancelled: bool = False
    # Attachment files: completed on the central in this sync, refused (retried next time), megabytes sent.
    files_uploaded: int = 0
    files_failed: int = 0
    bytes_uploaded: int = 0
    # The count check after the pull (sync.count_check): events a counter that had lost them stored again, and
    # whether what it holds still differs from what the central shows it (the log says how).
    repaired: int = 0
    count_mismatch: bool = False

    @property
    def complete(self) -> bool:
        return self.failed == 0 and not self.cancelled

    def as_dict(self) -> dict[str, int]:
        return {"pushed": self.pushed, "pulled": self.pulled, "failed": self.failed, "dossiers": self.dossiers}

    def as_json(self) -> dict[str, int]:
        """What `sync --json` prints: as_dict's keys (a contract), and the keys added since."""
        return self.as_dict() | {"repaired": self.repaired}


class SyncInterrupted(CentralUnreachable):
    """The central became unreachable during the sync; `report` holds what was exchanged before (kept)."""

    def __init__(self, cause: CentralUnreachable, report: SyncReport) -> None:
        super().__init__(cause.message, detail=cause.detail)
        self.report = report
