"""The clock rule, where the counter keeps its credential, the `central` commands and the administrator's URL.

The handshake's refusals through the service (clock, versions, another counter's credential) are in
test_service_handshake.py.
"""

from __future__ import annotations

import json
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import keyring
import pytest
from sync_helpers import AGENCY_A, Central, MakeCounter, accept_many, cli, cli_env, service_sync_args

from counter_app.errors import RuleError, ValidationError
from counter_app.sync.central_url import parse_central_url
from counter_app.sync.connection import open_connection
from counter_app.sync.handshake import SYNC_PROTOCOL, check_clock

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


def test_drill_clock_takes_no_part_in_the_clock_check(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 2)
    args = service_sync_args(central, one.context.database.path)

    done = cli(tmp_path, *args, "--now", "2030-01-01 08:00", input=central.credential(AGENCY_A, 1) + "\n")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["pushed"] == 2
    assert central.count("SELECT count(*) FROM central.event") == 2


def test_the_credential_is_kept_in_the_system_keyring_and_never_shown(
    central: Central, make_counter: MakeCounter, secret_service_env: dict[str, str], tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 2)
    credential = central.credential(AGENCY_A, 1)
    user = f"sync-credential:{AGENCY_A}:1"
    env = cli_env(tmp_path, dict(secret_service_env))
    try:
        done = cli(tmp_path, *service_sync_args(central, one.context.database.path), env=env, input=credential + "\n")
        kept = keyring.get_password("counter_app", user)
        accept_many(one, 1, start=10)
        # later syncs, in this process too, find it there: none is given
        in_process = one.sync.sync_now(central_url=central.service_url(), ca_file=central.ca_file)
    finally:
        keyring.delete_password("counter_app", user)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["pushed"] == 2
    assert kept == credential
    assert (in_process.pushed, in_process.failed) == (1, 0)
    assert not (Path(one.context.data_dir) / "sync-credential").exists()  # the keyring holds it, no file
    assert credential not in done.stdout + done.stderr


def test_central_commands_keep_their_contract(central: Central, tmp_path: Path) -> None:
    url = central.admin_url
    logins_before = central.count("SELECT count(*) FROM pg_roles WHERE rolcanlogin")

    again = cli(tmp_path, "central", "init", "--url", url, "--json")
    agency = cli(
        tmp_path, "--json", "central", "add-agency", "--url", url, "--code", "000.19.24.H29", "--name", "Phường C",
        "--counter-digits", "2", "--number-digits", "4",
    )  # fmt: skip
    twice = cli(tmp_path, "central", "add-agency", "--url", url, "--code", "000.19.24.H29", "--name", "Phường C")
    counter = cli(
        tmp_path, "central", "add-counter", "--url", url, "--agency", "000.19.24.H29", "--counter", "12", "--json"
    )
    taken = cli(tmp_path, "central", "add-counter", "--url", url, "--agency", "000.19.24.H29", "--counter", "12")
    unknown = cli(tmp_path, "central", "add-counter", "--url", url, "--agency", "000.77.77.H77", "--counter", "1")
    bad_url = cli(tmp_path, "central", "init", "--url", "mysql://x@y/z")

    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["upgraded"] is False
    assert agency.returncode == 0, agency.stderr
    assert twice.returncode == 2
    assert counter.returncode == 0, counter.stderr
    account = json.loads(counter.stdout)
    # issue 18's contract: agency, counter and the credential (shown once); no database login any more
    assert set(account) == {"agency", "counter", "credential"}
    assert (account["agency"], account["counter"]) == ("000.19.24.H29", 12)
    assert account["credential"].startswith("cc1.")
    assert taken.returncode == 2
    assert "chỉ được cấp một lần" in taken.stderr
    assert unknown.returncode == 2
    assert bad_url.returncode == 2
    assert central.cluster.password not in again.stdout + again.stderr
    with central.admin() as conn:
        registered = conn.execute(
            "SELECT c.number, a.counter_digits, a.number_digits FROM central.counter c "
            "JOIN central.agency a ON a.code = c.agency_code WHERE c.agency_code = %s",
            ["000.19.24.H29"],
        ).fetchall()
    assert registered == [(12, 2, 4)]
    assert central.count("SELECT count(*) FROM pg_roles WHERE rolcanlogin") == logins_before
    # the credential works through the sync service, and it is counter 12 of that agency
    verify = ssl.create_default_context(cafile=central.ca_file)
    headers = {"Authorization": f"Bearer {account['credential']}"}
    with httpx.Client(base_url=central.service_url(), verify=verify, headers=headers, timeout=30) as client:
        hello = client.get("/v1/hello", params={"protocol": SYNC_PROTOCOL})
    assert hello.status_code == 200, hello.text
    assert (hello.json()["agency_code"], hello.json()["counter"]) == ("000.19.24.H29", 12)


def test_url_parameters_reach_libpq_and_the_password_never_shows(central: Central) -> None:
    """The administrator's `postgresql://` address (the `central` commands keep it): parameters reach libpq."""
    base = central.admin_url.partition("?")[0]
    ca = central.cluster.ca_file
    url = parse_central_url(f"{base}?sslmode=verify-full&sslrootcert={ca}&application_name=quan-tri")

    with open_connection(url, None) as conn:
        settings = conn.execute("SELECT current_setting('application_name'), current_user").fetchone()
        tls = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()

    assert settings == ("quan-tri", central.cluster.superuser)
    assert tls == (True,)  # sslrootcert reached libpq: the server was verified against the test CA
    assert central.cluster.password not in url.redacted() + repr(url)
    assert url.redacted().endswith(f"?sslmode=verify-full&sslrootcert={ca}&application_name=quan-tri")
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
