"""The real servers the suite starts (PostgreSQL, CUPS with CUPS-PDF, Secret Service) work for real."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from support.cups import CupsQueue
from support.pg_cluster import PgCluster
from support.secret_service import LOGIN_COLLECTION, SecretService


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)
    assert found is not None, info
    return int(found.group(1))


def _write_pdf(path: Path, pages: int) -> Path:
    from reportlab.pdfgen import canvas

    document = canvas.Canvas(str(path))
    for number in range(1, pages + 1):
        document.drawString(100, 700, f"Trang {number}")
        document.showPage()
    document.save()
    return path


# -- PostgreSQL --------------------------------------------------------------------------------------------


def test_pg_cluster_lets_a_role_log_in_with_its_password_over_tcp(pg_cluster: PgCluster) -> None:
    pg_cluster.create_database("infra_logins")
    with pg_cluster.admin_connect("infra_logins") as admin:
        admin.execute("CREATE ROLE infra_clerk LOGIN PASSWORD 'Mật-khẩu-1'")
        admin.execute("GRANT CREATE ON SCHEMA public TO infra_clerk")

    with psycopg.connect(pg_cluster.url("infra_logins", "infra_clerk", "Mật-khẩu-1")) as conn:
        who = conn.execute("SELECT current_user, host(inet_server_addr())").fetchone()
        conn.execute("CREATE TABLE wards (name text)")
        conn.execute("INSERT INTO wards VALUES ('Phường Bến Nghé')")
        upper = conn.execute("SELECT upper(name) FROM wards").fetchone()
    assert who == ("infra_clerk", "127.0.0.1")
    assert upper == ("PHƯỜNG BẾN NGHÉ",)

    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(pg_cluster.url("infra_logins", "infra_clerk", "sai-mật-khẩu"))


def test_pg_cluster_url_serves_sqlalchemy_with_psycopg(pg_cluster: PgCluster) -> None:
    import sqlalchemy

    pg_cluster.create_database("infra_sqlalchemy")
    engine = sqlalchemy.create_engine(pg_cluster.url("infra_sqlalchemy", driver="psycopg"))
    try:
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("SELECT current_database()")).scalar() == "infra_sqlalchemy"
    finally:
        engine.dispose()


def test_pg_cluster_restart_cuts_connections_and_keeps_data(pg_cluster: PgCluster) -> None:
    url = pg_cluster.create_database("infra_restart")
    with psycopg.connect(url, autocommit=True) as setup:
        setup.execute("CREATE TABLE dossiers (code text)")
        setup.execute("INSERT INTO dossiers VALUES ('000.00.00.H29-250101-0001')")
    survivor = psycopg.connect(url)

    pg_cluster.restart()

    with pytest.raises(psycopg.OperationalError):
        survivor.execute("SELECT 1")
    survivor.close()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT code FROM dossiers").fetchall() == [("000.00.00.H29-250101-0001",)]

    pg_cluster.stop()
    try:
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url, connect_timeout=2)
    finally:
        pg_cluster.start()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM dossiers").fetchone() == (1,)


# -- CUPS ----------------------------------------------------------------------------------------------------


def test_lp_prints_a_pdf_to_the_cups_pdf_queue(cups_queue: CupsQueue, tmp_path: Path) -> None:
    job = cups_queue.print_file(_write_pdf(tmp_path / "ba-trang.pdf", pages=3))

    printed = cups_queue.output_of_job(job)

    assert printed.parent == cups_queue.output_dir
    assert _page_count(printed) == 3


def test_qprinter_sees_the_queue_and_prints_to_it(cups_env: CupsQueue, qapp: object) -> None:
    from PySide6.QtGui import QPainter
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    assert cups_env.name in QPrinterInfo.availablePrinterNames()
    before = cups_env.outputs()
    printer = QPrinter(QPrinterInfo.printerInfo(cups_env.name))
    printer.setDocName("qt-infrastructure")
    painter = QPainter()
    assert painter.begin(printer)
    painter.drawText(100, 100, "Giấy biên nhận — trang 1")
    assert printer.newPage()
    painter.drawText(100, 100, "Trang 2")
    assert painter.end()

    # QPrinter returns once the job is queued; the PDF exists when the queue is idle.
    cups_env.wait_until_idle()
    printed = cups_env.outputs() - before
    assert len(printed) == 1, cups_env.log_tail()
    assert _page_count(printed.pop()) == 2


# -- Secret Service -------------------------------------------------------------------------------------------

_SECRET = "Mật khẩu: Đà Nẵng 2025!"


def _keyring_in_subprocess(service: SecretService, code: str) -> str:
    env = {**os.environ, **service.env}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_keyring_round_trips_a_password_through_the_secret_service(secret_service: SecretService) -> None:
    stored = _keyring_in_subprocess(
        secret_service,
        "import keyring\n"
        f"keyring.set_password('counter-app-infra', 'tiepnhan01', {_SECRET!r})\n"
        "print(type(keyring.get_keyring()).__module__)",
    )
    # A second process reads it back: the secret lives in the daemon, not in the first process.
    read = _keyring_in_subprocess(
        secret_service, "import keyring; print(keyring.get_password('counter-app-infra', 'tiepnhan01'))"
    )

    assert stored == "keyring.backends.SecretService"
    assert read == _SECRET


def test_secret_service_env_points_keyring_at_the_login_collection(secret_service_env: dict[str, str]) -> None:
    import keyring
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    keyring.set_password("counter-app-infra-env", "tiepnhan02", _SECRET)

    assert keyring.get_password("counter-app-infra-env", "tiepnhan02") == _SECRET
    connection = open_dbus_connection(secret_service_env["DBUS_SESSION_BUS_ADDRESS"])
    try:
        items = list(secretstorage.search_items(connection, {"service": "counter-app-infra-env"}))
        assert [item.item_path.rsplit("/", 1)[0] for item in items] == [LOGIN_COLLECTION]
    finally:
        connection.close()
