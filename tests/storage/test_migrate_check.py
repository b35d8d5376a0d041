"""storage/migrate.py: the start's schema check reads the revision with SQL and the head from the files, as Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from counter_app.storage.database import open_database
from counter_app.storage.migrate import MIGRATIONS, alembic_config, current_revision, head_revision, needs_upgrade

ROOT = Path(__file__).resolve().parents[2]


def test_head_from_the_files_is_alembics_head(tmp_path: Path) -> None:
    database = open_database(tmp_path / "c.db")
    try:
        assert head_revision(database.writer) == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    finally:
        database.dispose()


def test_revision_of_a_new_an_old_and_an_upgraded_database(tmp_path: Path) -> None:
    database = open_database(tmp_path / "c.db")
    try:
        engine = database.writer
        assert current_revision(engine) is None
        assert needs_upgrade(engine)
        command.upgrade(alembic_config(engine), "0001")
        assert current_revision(engine) == "0001"
        assert needs_upgrade(engine)
        command.upgrade(alembic_config(engine), "head")
        assert current_revision(engine) == head_revision(engine)
        assert not needs_upgrade(engine)
    finally:
        database.dispose()


def test_checking_an_up_to_date_database_does_not_import_alembic(tmp_path: Path) -> None:
    database = open_database(tmp_path / "c.db")
    command.upgrade(alembic_config(database.writer), "head")
    database.dispose()
    script = (
        "import sys; from pathlib import Path\n"
        "from counter_app.storage.database import open_database\n"
        "from counter_app.storage.migrate import upgrade\n"
        f"db = open_database(Path({str(tmp_path / 'c.db')!r})); upgrade(db.writer); db.dispose()\n"
        "print('alembic' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
