"""What every sync checks first (clock, versions, identity) and how the password is found; the `central` commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import psycopg
import pytest
from sync_helpers import AGENCY_A, Central, MakeCounter, accept_many, cli, cli_env, sync

from counter_app.errors import RuleError, ValidationError
from counter_app.services.syncing.sync_runs import SyncService
from counter_app.sync.central_url import parse_central_url
from counter_app.sync.connection import open_connection
from counter_app.sync.handshake import check_clock

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam


@pytest.mark.parametrize(
    ("system_offset", "refused"),
    [
        (timedelta(0), False),
        (timedelta(minutes=4, seconds=59), False),
        (-timedelta(minutes=5), False),
        (timedelta(minutes=5, seconds=1), True),
        (-timedelta(minutes=5, seconds=1), True),
        (timedelta(hours=7), True),  # a machine set to UTC wall time instead of Vietnam's
    ],
)
def test_clock_rule_refuses_more_than_five_minutes_either_way(system_offset: timedelta, refused: bool) -> None:
    if refused:
        with pytest.raises(RuleError, match="Đồng hồ của máy này"):
            check_clock(T0, T0 + system_offset)
    else:
        check_clock(T0, T0 + system_offset)


def test_a_skewed_system_clock_refuses_the_sync_before_anything_is_sent(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    # the real central's now(), against a machine clock 10 minutes fast
    skewed = SyncService(one.context, system_clock=lambda: datetime.now(UTC) + timedelta(minutes=10))

    with pytest.raises(RuleError, match="nhanh 10 phút") as refused:
        skewed.sync_now(central_url=central.counter_url(AGENCY_A, 1))

    assert refused.value.exit_code == 2
    assert one.sync.pending_count() == 3
    assert central.count("SELECT count(*) FROM central.event") == 0
    assert sync(one, central, AGENCY_A, 1).pushed == 3  # the machine's true clock passes


def test_drill_clock_takes_no_part_in_the_clock_check(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    db = str(one.context.database.path)
    url = central.counter_url(AGENCY_A, 1)

    done = cli(tmp_path, "sync", "--db", db, "--central", url, "--now", "2030-01-01 08:00", "--json")

    assert done.returncode == 0, done.stderr


def test_a_client_older_than_the_central_is_told_to_update(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 2)
    db = str(one.context.database.path)
    url = central.counter_url(AGENCY_A, 1)
    with central.admin() as conn:
        conn.execute("UPDATE central.compat SET min_client_protocol = 99")
    refused_by_central = cli(tmp_path, "sync", "--db", db, "--central", url)
    with central.admin() as conn:
        conn.execute("UPDATE central.compat SET min_client_protocol = 1")
        conn.execute("UPDATE central.alembic_version SET version_num = 'c9999'")
    refused_by_client = cli(tmp_path, "sync", "--db", db, "--central", url)
    with central.admin() as conn:
        conn.execute("UPDATE central.alembic_version SET version_num = 'c0001'")

    for refused in (refused_by_central, refused_by_client):
        assert refused.returncode == 2
        assert "cập nhật ứng dụng" in refused.stderr
    assert central.count("SELECT count(*) FROM central.event") == 0
    assert one.sync.pending_count() == 2


def test_a_login_of_another_counter_is_refused(central: Central, make_counter: MakeCounter) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 1)

    with pytest.raises(RuleError, match="quầy 2 cơ quan") as refused:
        one.sync.sync_now(central_url=central.counter_url(AGENCY_A, 2))

    assert refused.value.exit_code == 2
    assert central.count("SELECT count(*) FROM central.event") == 0


def test_the_password_comes_from_the_system_keyring(
    central: Central, make_counter: MakeCounter, secret_service_env: dict[str, str], tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 2)
    account = central.add_counter(AGENCY_A, 1)
    keyring.set_password("counter_app", account.role, account.password)
    url = central.counter_url(AGENCY_A, 1, with_password=False)
    try:
        done = cli(
            tmp_path,
            "sync", "--db", str(one.context.database.path), "--central", url, "--json",
            env=cli_env(tmp_path, dict(secret_service_env)),
        )  # fmt: skip
        in_process = one.sync.sync_now(central_url=url)
    finally:
        keyring.delete_password("counter_app", account.role)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["pushed"] == 2
    assert in_process.failed == 0
    assert account.password not in done.stdout + done.stderr


def test_central_commands_keep_their_contract(central: Central, tmp_path: Path) -> None:
    url = central.admin_url

    again = cli(tmp_path, "central", "init", "--url", url, "--json")
    agency = cli(
        tmp_path, "--json", "central", "add-agency", "--url", url, "--code", "000.19.24.H29", "--name", "Phường C",
        "--counter-digits", "2", "--number-digits", "4",
    )  # fmt: skip
    twice = cli(tmp_path, "central", "add-agency", "--url", url, "--code", "000.19.24.H29", "--name", "Phường C")
    counter = cli(
        tmp_path, "central", "add-counter", "--url", url, "--agency", "000.19.24.H29", "--counter", "12", "--json"
    )
    unknown = cli(tmp_path, "central", "add-counter", "--url", url, "--agency", "000.77.77.H77", "--counter", "1")
    bad_url = cli(tmp_path, "central", "init", "--url", "mysql://x@y/z")

    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["upgraded"] is False
    assert agency.returncode == 0, agency.stderr
    assert twice.returncode == 2
    assert counter.returncode == 0, counter.stderr
    account = json.loads(counter.stdout)
    # issue 18's contract: agency, counter and the credential (shown once); the database login of the old
    # direct sync stays until counters have moved to the service
    assert {"agency", "counter", "credential"} <= set(account)
    assert (account["agency"], account["counter"]) == ("000.19.24.H29", 12)
    assert account["credential"].startswith("cc1.")
    assert unknown.returncode == 2
    assert bad_url.returncode == 2
    assert central.cluster.password not in again.stdout + again.stderr
    with central.admin() as conn:
        registered = conn.execute(
            "SELECT c.number, a.counter_digits, a.number_digits FROM central.counter c "
            "JOIN central.agency a ON a.code = c.agency_code WHERE c.role_name = %s",
            [account["role"]],
        ).fetchone()
        can_login = conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [account["role"]]).fetchone()
    assert registered == (12, 2, 4)
    assert can_login == (True,)
    # the new login works and is counter 12 of that agency
    with psycopg.connect(central.cluster.url(central.dbname, account["role"], account["password"])) as conn:
        hello = conn.execute("SELECT agency_code, counter FROM central.hello(1, current_user)").fetchone()
    assert hello == ("000.19.24.H29", 12)


def test_url_parameters_reach_libpq_and_the_password_never_shows(central: Central) -> None:
    account = central.add_counter(AGENCY_A, 1)
    base = central.counter_url(AGENCY_A, 1).partition("?")[0]
    ca = central.cluster.ca_file
    url = parse_central_url(f"{base}?sslmode=verify-full&sslrootcert={ca}&application_name=quay-1")

    with open_connection(url, None) as conn:
        settings = conn.execute("SELECT current_setting('application_name'), current_user").fetchone()
        tls = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()

    assert settings == ("quay-1", account.role)
    assert tls == (True,)  # sslrootcert reached libpq: the server was verified against the test CA
    assert account.password not in url.redacted() + repr(url)
    assert url.redacted().endswith(f"?sslmode=verify-full&sslrootcert={ca}&application_name=quay-1")
    # a CA file that is not there: a setting to correct (exit 2), said as a TLS problem
    with pytest.raises(RuleError, match="TLS") as refused:
        open_connection(parse_central_url(f"{base}?sslmode=verify-full&sslrootcert={ca}.missing"), None)
    assert refused.value.exit_code == 2


def test_central_url_parsing() -> None:
    url = parse_central_url(
        "postgresql://ca_x_000_17_22_h56_1:p%40ss%3Aw%2Frd@db.hcm.gov.vn/trung_tam?sslmode=verify-full"
    )

    assert (url.user, url.host, url.port, url.dbname) == ("ca_x_000_17_22_h56_1", "db.hcm.gov.vn", 5432, "trung_tam")
    assert url.password == "p@ss:w/rd"
    assert url.params == (("sslmode", "verify-full"),)
    assert url.redacted() == "postgresql://ca_x_000_17_22_h56_1@db.hcm.gov.vn:5432/trung_tam?sslmode=verify-full"
    assert url.connect_kwargs(None)["password"] == "p@ss:w/rd"
    assert url.connect_kwargs("from-keyring")["password"] == "from-keyring"
    for bad in (
        "mysql://u@h/db",
        "postgresql://u@h:99999/db",
        "postgresql://u@h/",
        "postgresql:///db",
        "postgresql://u@h/db?password=x",
    ):
        with pytest.raises(ValidationError, match="máy chủ trung tâm") as refused:
            parse_central_url(bad)
        assert refused.value.exit_code == 2
