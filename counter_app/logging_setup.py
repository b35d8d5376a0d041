"""Logging configured once per process: a rotating file in the platform's log folder; no personal data."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path


def configure_logging(log_dir: Path, *, to_stderr_level: int = logging.CRITICAL + 1) -> None:
    root = logging.getLogger()
    if getattr(root, "_counter_app_configured", False):
        return
    root.setLevel(logging.INFO)
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_dir / "counter_app.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if to_stderr_level <= logging.CRITICAL:
        stream = logging.StreamHandler()
        stream.setLevel(to_stderr_level)
        root.addHandler(stream)
    root._counter_app_configured = True  # type: ignore[attr-defined]
