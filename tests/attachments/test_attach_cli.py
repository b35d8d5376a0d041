"""The command-line contract of digitisation: attach, scan, attachments; exit 2 with Vietnamese messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from attachments.attachment_support import TEST_FEEDER_PAGES, jpeg, pdf, pdfinfo_pages, png, sha256_file
from cli.cli_support import Cli, copy_database, initialised_database

MARRIAGE = "DEMO.KH"  # two papers in the demo catalogue


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An initialised database with one accepted dossier; its code."""
    db = initialised_database(tmp_path_factory.mktemp("template"))
    run = Cli(db)("intake", "--procedure", MARRIAGE, "--name", "Nguyễn Văn An", "--id", "079090001234")
    return db, run.json()["code"]


@pytest.fixture
def cli(template: tuple[Path, str], tmp_path: Path) -> Cli:
    db = tmp_path / "home" / "c.db"
    db.parent.mkdir()
    copy_database(template[0], db)
    return Cli(db)


@pytest.fixture
def code(template: tuple[Path, str]) -> str:
    return template[1]


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    return [str(jpeg(tmp_path / "a.jpg")), str(png(tmp_path / "b.png")), str(pdf(tmp_path / "c.pdf", 2))]


def stored(cli: Cli) -> list[Path]:
    # the data folder is the database's folder when --db is given
    return sorted((cli.db.parent / "attachments").glob("*/*.pdf"))


def test_attach_combines_the_files_into_one_pdf_of_the_paper(cli: Cli, code: str, files: list[str]) -> None:
    data = cli("attach", code, "--paper", "1", *files).json()

    [pdf_file] = stored(cli)
    assert data == {"paper": 1, "pages": 4, "sha256": sha256_file(pdf_file), "synced": False}
    assert pdfinfo_pages(pdf_file) == 4

    again = cli("attach", code, "--paper", "1", *files).json()
    assert again == data
    assert len(stored(cli)) == 1

    listed = cli("attachments", code).json()
    assert listed == [data]
    human = cli("attachments", code, as_json=False)
    assert human.code == 0
    assert "1. Tờ khai đăng ký kết hôn" in human.out and "4 trang đã quét" in human.out
    assert "2. Giấy xác nhận tình trạng hôn nhân" in human.out and "chưa số hóa" in human.out


def test_files_may_come_before_and_after_the_options(cli: Cli, code: str, files: list[str]) -> None:
    data = cli("attach", code, files[0], "--paper", "2", files[1]).json()
    assert data["pages"] == 2 and data["paper"] == 2


def test_an_exempt_paper_is_listed_with_its_reason(cli: Cli, code: str) -> None:
    run = cli("attach", code, "--paper", "2", "--exempt", "comparison", as_json=False)
    assert run.code == 0, str(run)
    human = cli("attachments", code, as_json=False).out
    assert "không số hóa: Giấy tờ chỉ xuất trình để đối chiếu" in human
    assert cli("attachments", code).json() == []  # the JSON lists stored PDFs only


def test_bad_input_exits_2_in_vietnamese(cli: Cli, code: str, files: list[str], tmp_path: Path) -> None:
    text = tmp_path / "ghi-chu.txt"
    text.write_text("văn bản")
    cases: list[tuple[tuple[str, ...], str]] = [
        (("attach", code, "--paper", "3", *files), "không có giấy tờ số 3"),
        (("attach", code, "--paper", "0", *files), "không có giấy tờ số 0"),
        (("attach", code, "--paper", "1", str(text)), "không phải PDF, JPEG hay PNG"),
        (("attach", code, "--paper", "1", str(tmp_path / "mat.pdf")), "Không tìm thấy tệp"),
        (("attach", "000.17.22.H56-260105-1999", "--paper", "1", *files), "Không tìm thấy hồ sơ"),
        (("attachments", "KHONGCO"), "Không tìm thấy hồ sơ"),
        (("attach", code, "--paper", "1"), "Cần ít nhất một tệp"),
        (("attach", code, "--paper", "x", *files), "tham số không hợp lệ"),
        (("attach", code, "--paper", "1", "--exempt", "lazy"), "tham số không hợp lệ"),
        (("attach", code, "--paper", "1", "--exempt", "online", *files), "không kèm tệp"),
    ]
    runs = cli.many(*((args, None) for args, _message in cases))  # independent calls, side by side
    for run, (_args, message) in zip(runs, cases, strict=True):
        assert message in run.refused(), str(run)
    assert stored(cli) == []


def test_scan_through_sane_test_device(cli: Cli, code: str, sane_env: Path) -> None:
    cli.env["SANE_CONFIG_DIR"] = str(sane_env)
    scanners = cli("scanners").json()
    assert [s["name"] for s in scanners] == ["test:0", "test:1"]

    data = cli("scan", code, "--paper", "2", "--device", "test:0").json()

    [pdf_file] = stored(cli)
    assert data == {"paper": 2, "pages": TEST_FEEDER_PAGES, "sha256": sha256_file(pdf_file), "synced": False}
    assert pdfinfo_pages(pdf_file) == TEST_FEEDER_PAGES
    flatbed = cli("scan", code, "--paper", "1", "--device", "test:1", "--source", "flatbed", "--pages", "2").json()
    assert flatbed["pages"] == 2
    assert "Không mở được máy quét" in cli("scan", code, "--paper", "1", "--device", "khongco:0").refused()
    assert "không có giấy tờ số 9" in cli("scan", code, "--paper", "9", "--device", "test:0").refused()


def test_audit_verify_reports_one_changed_byte_of_a_stored_file(cli: Cli, code: str, files: list[str]) -> None:
    cli("attach", code, "--paper", "1", *files)
    intact = cli("audit", "verify")
    assert intact.code == 0, str(intact)
    assert intact.json()["attachment"] is None
    [pdf_file] = stored(cli)
    data = bytearray(pdf_file.read_bytes())
    data[len(data) // 3] ^= 0x20
    pdf_file.write_bytes(bytes(data))

    damaged = cli("audit", "verify")

    assert damaged.code == 4
    problem = json.loads(damaged.out)["attachment"]
    assert (problem["problem"], problem["sha256"], problem["dossier"], problem["paper"]) == (
        "hash",
        pdf_file.stem,
        code,
        1,
    )
    assert "đã bị thay đổi" in damaged.err and code in damaged.err
    pdf_file.unlink()
    missing = cli("audit", "verify")
    assert missing.code == 4 and json.loads(missing.out)["attachment"]["problem"] == "missing"
