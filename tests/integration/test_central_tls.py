"""A counter reaches the central only through the sync service over TLS, and only when the service proves who it
is with a certificate the city's CA signed; the administrator's commands reach PostgreSQL over verified TLS."""

from __future__ import annotations

from pathlib import Path

import trustme
from sync_helpers import AGENCY_A, Central, MakeCounter, accept_many, cli, local_events

from counter_app.bootstrap import Services


def _sync(central: Central, counter: Services, tmp_path: Path, address: str, *ca: str) -> tuple[int, str]:
    done = cli(
        tmp_path, "sync", "--db", str(counter.context.database.path), "--central", address, *ca,
        "--credential-stdin", "--json", input=central.credential(AGENCY_A, 1) + "\n",
    )  # fmt: skip
    return done.returncode, done.stderr


def test_a_sync_goes_over_tls_verified_against_the_city_ca(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 2)
    code, stderr = _sync(central, one, tmp_path, central.service_url(), "--ca-file", central.ca_file)
    assert code == 0, stderr
    assert central.count("SELECT count(*) FROM central.event") == 2
    assert all(state == 1 for *_rest, state in local_events(one).values())


def test_a_service_certificate_the_counter_cannot_verify_is_refused_and_nothing_is_sent(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    """A machine in the middle with a certificate another CA signed gets nothing, nor does one the counter has no
    CA for (the system's CAs do not know the city's)."""
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 2)
    stranger = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(stranger))
    for ca in (("--ca-file", str(stranger)), ()):
        code, stderr = _sync(central, one, tmp_path, central.service_url(), *ca)
        assert code == 2, stderr  # a setting to correct, said as such, not a network to wait for
        assert "Lỗi chứng chỉ TLS của dịch vụ đồng bộ" in stderr
    assert central.count("SELECT count(*) FROM central.event") == 0
    assert one.sync.pending_count() == 2
    assert all(state == 0 for *_rest, state in local_events(one).values())


def test_a_counter_address_without_tls_is_refused_before_anything_is_sent(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 2)
    plain = central.service_url().replace("https://", "http://")
    code, stderr = _sync(central, one, tmp_path, plain)
    assert code == 2, stderr
    assert "https://" in stderr
    assert central.count("SELECT count(*) FROM central.event") == 0
    assert one.sync.pending_count() == 2


def _admin_url_with(central: Central, **params: str) -> str:
    base, _, _query = central.admin_url.partition("?")
    return base + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_the_administrator_commands_reach_postgresql_over_verified_tls_only(central: Central, tmp_path: Path) -> None:
    stranger = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(stranger))
    verified = cli(tmp_path, "central", "init", "--url", central.admin_url, "--json")
    plain = cli(tmp_path, "central", "init", "--url", _admin_url_with(central, sslmode="disable"))
    spoofed = cli(
        tmp_path, "central", "init", "--url", _admin_url_with(central, sslmode="verify-full", sslrootcert=str(stranger))
    )
    assert verified.returncode == 0, verified.stderr
    assert plain.returncode == 2, plain.stderr
    assert "chỉ nhận kết nối có mã hóa TLS" in plain.stderr
    assert spoofed.returncode == 2, spoofed.stderr
    assert "chứng chỉ TLS" in spoofed.stderr
    assert central.cluster.password not in plain.stderr + spoofed.stderr
