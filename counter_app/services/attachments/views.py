"""What the digitisation service returns: frozen views of attachments, the checklist, problems, uploads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# Thông tư 03/2025/TT-VPCP art. 5(2): what the desk does not digitise
EXEMPTIONS = {
    "online": "Hồ sơ nộp trực tuyến",
    "comparison": "Giấy tờ chỉ xuất trình để đối chiếu",
    "verification": "Kết quả xác minh nội bộ",
    "classified": "Tài liệu mật",
}


@dataclass(frozen=True)
class AttachmentView:
    """A paper's current attachment: a stored PDF, or an exemption (then sha256 is empty and pages 0)."""

    paper: int
    paper_name: str
    pages: int
    size: int
    sha256: str
    synced: bool
    sync_state: int  # 0 waiting for upload, 1 uploaded, 2 upload failed, 3 pulled (digitised at another counter)
    exempt_reason: str  # a key of EXEMPTIONS, empty when scanned
    exempt_note: str
    created_at: datetime
    clerk: str
    file_here: bool = True  # False for a pulled paper whose file was not fetched from the central yet

    @property
    def exempt(self) -> bool:
        return bool(self.exempt_reason)

    @property
    def exempt_label(self) -> str:
        return EXEMPTIONS.get(self.exempt_reason, self.exempt_reason)


@dataclass(frozen=True)
class PaperDigitisation:
    """One line of the dossier's checklist with what was digitised of it."""

    paper: int
    name: str
    originals: int
    copies: int
    missing: bool
    attachment: AttachmentView | None


@dataclass(frozen=True)
class PreparedAttachment:
    """A PDF already in the store, not yet recorded in the dossier (`record` does that)."""

    dossier_uuid: str
    paper: int
    sha256: str
    pages: int
    size: int
    source: str  # "scan" | "files"
    base_sha256: str  # the attachment it extends (append), empty otherwise


@dataclass(frozen=True)
class AttachmentProblem:
    """The first stored file that is missing or altered; `message` is for the person running the check."""

    kind: str  # missing | size | hash | name
    sha256: str
    path: Path
    dossier_code: str
    paper: int
    message: str


@dataclass(frozen=True)
class PendingUpload:
    sha256: str
    path: Path
    size: int
    uploaded_bytes: int
    dossier_uuid: str
    paper: int
