"""The form of a sync credential, known to both sides: the counter that keeps one and the service that checks it."""

from __future__ import annotations

PREFIX = "cc1."  # what a credential starts with, so that it is recognised in a file or a form (and its version)


def looks_like_credential(text: str) -> bool:
    cleaned = text.strip()
    return cleaned.startswith(PREFIX) and len(cleaned) > len(PREFIX) + 40 and cleaned.isprintable()
