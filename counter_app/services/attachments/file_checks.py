"""The check of the stored attachment files (`audit verify`, `doctor`): present, unaltered, named by their hash.

A function of the context alone, so that the audit and the maintenance commands run it without the other services.
"""

from __future__ import annotations

import re
from pathlib import Path

from counter_app.services.attachments.file_store import AttachmentStore
from counter_app.services.attachments.views import AttachmentProblem
from counter_app.services.common.context import ServiceContext

_SHA256 = re.compile(r"[0-9a-f]{64}")


def verify_attachments(context: ServiceContext) -> AttachmentProblem | None:
    """Every stored file exists and hashes to its name and its rows; the first problem found, or None.

    A function of the context alone, so that maintenance commands can run it without the other services.
    """
    store = AttachmentStore(context.data_dir / "attachments")
    checked: set[str] = set()
    with context.uow() as uow:
        rows = [(r.sha256, r.size, r.dossier_uuid, r.paper_position, r.pulled) for r in uow.attachments.stored()]
        # a file digitised here must be here; one pulled from another counter only once it was fetched
        fetched_only = {sha for sha, *_, pulled in rows if pulled} - {sha for sha, *_, pulled in rows if not pulled}
        for sha, size, dossier_uuid, paper, _pulled in rows:
            if sha in checked:
                continue
            checked.add(sha)
            kind = "name" if not _SHA256.fullmatch(sha) else store.problem(sha, size)
            if kind is None or (kind == "missing" and sha in fetched_only):
                continue
            state = uow.dossiers.get(dossier_uuid)
            code = (state.code or state.uuid) if state is not None else dossier_uuid
            path = store.path_of(sha)
            return AttachmentProblem(kind, sha, path, code, paper, _problem_message(kind, code, paper, path))
    return None


def _problem_message(kind: str, code: str, paper: int, path: Path) -> str:
    what = f"Tệp số hóa giấy tờ số {paper} của hồ sơ {code}"
    if kind == "missing":
        return f"{what} bị mất ({path})."
    if kind == "name":
        return f"{what} có mã băm ghi sai trong cơ sở dữ liệu."
    return f"{what} đã bị thay đổi sau khi lưu ({path}): nội dung không còn khớp mã băm SHA-256."
