"""The platform's folders for user data, logs and configuration (platformdirs), never beside the code."""

from __future__ import annotations

from pathlib import Path

from platformdirs import PlatformDirs

_DIRS = PlatformDirs(appname="counter_app", appauthor="counter_app")


def data_dir() -> Path:
    return Path(_DIRS.user_data_dir)


def log_dir() -> Path:
    return Path(_DIRS.user_log_dir)


def default_database() -> Path:
    return data_dir() / "counter.db"


def demo_database() -> Path:
    return data_dir() / "demo" / "counter.db"
