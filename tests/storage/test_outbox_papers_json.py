"""The push sends a dossier's papers as JSON built by SQLite; a replay on the central builds it in Python.

Both must give the same text for the same papers, whatever the names hold, or one dossier would have two
spellings on the central depending on which path projected it.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from counter_app.domain.dossier import PaperEntry
from counter_app.storage.local_dossiers import _PAPERS_JSON
from counter_app.sync.central_schema import papers_json

HOSTILE_NAMES = [
    "Tờ khai đăng ký hộ tịch (bản chính)",
    'O\'Brien "trích lục" \\ bản sao',
    "'); DROP TABLE dossier; --",
    "dòng 1\ndòng 2\r\tcột\x01\x1f\x7f",
    "🇻🇳 \u2028 \u00a0 ký tự đặc biệt",
    "x" * 5000,
    "",
]


def papers_from_sqlite(papers: list[PaperEntry]) -> str:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE dossier (uuid TEXT PRIMARY KEY)")
    db.execute(
        "CREATE TABLE dossier_paper (id INTEGER PRIMARY KEY, dossier_uuid TEXT, position INTEGER, name TEXT, "
        "originals INTEGER, copies INTEGER, missing BOOLEAN)"
    )
    db.execute("INSERT INTO dossier VALUES ('d')")
    # stored out of position order: the JSON follows the positions
    for position, paper in reversed(list(enumerate(papers))):
        db.execute(
            "INSERT INTO dossier_paper (dossier_uuid, position, name, originals, copies, missing) "
            "VALUES ('d', ?, ?, ?, ?, ?)",
            (position, paper.name, paper.originals, paper.copies, paper.missing),
        )
    (text,) = db.execute(f"SELECT {_PAPERS_JSON} FROM dossier").fetchone()
    return str(text)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_sqlite_and_python_write_the_same_papers_text(name: str) -> None:
    papers = [PaperEntry(name=name, originals=1, copies=2, missing=False), PaperEntry(name="Ảnh 4x6", missing=True)]

    text = papers_from_sqlite(papers)

    assert text == papers_json(papers)
    assert [PaperEntry(**p) for p in json.loads(text)] == papers  # and it reads back as the same papers


def test_a_dossier_without_papers_is_an_empty_list() -> None:
    assert papers_from_sqlite([]) == papers_json([]) == "[]"
