"""A counter reaches the central over TLS only, and only when the server proves who it is."""

from __future__ import annotations

from pathlib import Path

import trustme
from sync_helpers import AGENCY_A, Central, MakeCounter, accept_many, cli, cli_env


def _url_with(central: Central, **params: str) -> str:
    url = central.counter_url(AGENCY_A, 1)
    base, _, _query = url.partition("?")
    return base + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_a_sync_goes_over_tls_verified_against_the_central_ca(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 2)
    done = cli(tmp_path, "sync", "--db", str(one.context.database.path), "--central", central.counter_url(AGENCY_A, 1))
    assert done.returncode == 0, done.stderr
    assert central.count("SELECT count(*) FROM central.event") == 2


def test_a_counter_without_tls_is_refused_and_marks_nothing_sent(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 2)
    plain = _url_with(central, sslmode="disable")
    done = cli(tmp_path, "sync", "--db", str(one.context.database.path), "--central", plain, env=cli_env(tmp_path))
    assert done.returncode == 2, done.stderr  # a setting to correct, said as such, not "try again later"
    assert "chỉ nhận kết nối có mã hóa TLS" in done.stderr
    assert central.count("SELECT count(*) FROM central.event") == 0


def test_a_server_certificate_from_another_ca_is_refused(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    """A machine in the middle with a certificate the city's CA did not sign gets nothing."""
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 2)
    stranger = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(stranger))
    spoofed = _url_with(central, sslmode="verify-full", sslrootcert=str(stranger))
    done = cli(tmp_path, "sync", "--db", str(one.context.database.path), "--central", spoofed)
    assert done.returncode == 2, done.stderr  # a setting to correct, not a network to wait for
    assert "chứng chỉ TLS" in done.stderr
    assert central.count("SELECT count(*) FROM central.event") == 0
