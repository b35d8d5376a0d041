"""Schema upgrades of the local database with Alembic, run programmatically at start.

Alembic (with Mako and Pygments) costs a few hundred milliseconds to import, and every start checks the schema:
the check reads `alembic_version` with plain SQL and the head revision from the migration files' `revision` /
`down_revision` lines, so Alembic is imported only when there is something to upgrade.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION_LINE = re.compile(r"""^(down_revision|revision)\s*(?::[^=]+)?=\s*(?:["']([^"']+)["']|None)""", re.M)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    """The database's revision (`alembic_version`), None for a database Alembic has not touched yet."""
    with engine.connect() as connection:
        try:
            row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        except OperationalError as exc:
            if "no such table" in str(exc):  # a new, empty database
                return None
            raise
    return None if row is None else str(row[0])


@cache
def _head_from_files(folder: Path) -> str | None:
    """The one revision no other revision names as its parent, read from the migration files; None when the
    files do not give exactly one (a merge, an unusual layout): then Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in folder.glob("*.py"):
        found = dict((m.group(1), m.group(2)) for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")))
        if found.get("revision") is None or "down_revision" not in found:
            return None
        revisions.add(str(found["revision"]))
        if found["down_revision"] is not None:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def head_revision(engine: Engine) -> str | None:
    head = _head_from_files(MIGRATIONS / "versions")
    if head is not None:
        return head
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision(engine)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (no-op when it is there already)."""
    if needs_upgrade(engine):
        from alembic import command

        command.upgrade(alembic_config(engine), "head")


def local_revisions() -> tuple[str | None, frozenset[str]]:
    """The newest revision of the local schema and every revision this version knows (to refuse a newer file)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return script.get_current_head(), frozenset(rev.revision for rev in script.walk_revisions())
