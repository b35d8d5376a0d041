"""Logging configured once per process: a rotating file in the platform's log folder; no personal data."""

from __future__ import annotations

import logging
import logging.handlers
from io import TextIOWrapper
from pathlib import Path

from counter_app.errors import CounterError
from counter_app.private_files import create_private_if_missing, private_dir


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files (the current one and each made at a rollover) only their owner can read."""

    def _open(self) -> TextIOWrapper:
        create_private_if_missing(Path(self.baseFilename))
        return super()._open()


def configure_logging(log_dir: Path, *, to_stderr_level: int = logging.CRITICAL + 1) -> None:
    root = logging.getLogger()
    if getattr(root, "_counter_app_configured", False):
        return
    root.setLevel(logging.INFO)
    try:
        private_dir(log_dir)
        handler: logging.Handler = _PrivateRotatingFileHandler(
            log_dir / "counter_app.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except (OSError, CounterError):  # no log folder (read-only profile, a file in its place): run without
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if to_stderr_level <= logging.CRITICAL:
        stream = logging.StreamHandler()
        stream.setLevel(to_stderr_level)
        root.addHandler(stream)
    root._counter_app_configured = True  # type: ignore[attr-defined]
