"""The city publishes its catalogue and calendar on the central (real PostgreSQL); at the next sync they win locally."""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from admin_support import NEW_CODE, decision_2027, procedure_data, write_json
from integration.sync_helpers import AGENCY_A, AGENCY_B, cli, sync

from counter_app.central.session import Counter, act_for, configure
from counter_app.domain.calendar import CalendarYear
from counter_app.services.catalogue.admin_log import CENTRAL_APPLIED, PROCEDURE_UPDATED
from counter_app.sync.catalogue_sync import publish_calendar
from counter_app.sync.central_schema import roles_for
from counter_app.sync.central_url import parse_central_url

MARRIAGE = "DEMO.KH"


def city_catalogue(counter: Any, **marriage: Any) -> dict[str, Any]:
    official = counter.catalogue.get_procedure_spec(MARRIAGE).to_json_dict() | {"demo": False, **marriage}
    return {"version": "hcm-2026.3", "procedures": [official, procedure_data()]}


def test_a_published_catalogue_and_calendar_win_over_local_edits_at_each_sync(
    central: Any, make_counter: Any, tmp_path: Path
) -> None:
    counter = make_counter(AGENCY_A, 1)
    local = counter.catalogue.get_procedure_spec(MARRIAGE).to_json_dict()
    counter.catalogue.save_procedure(local | {"days": 8}, new=False)  # no accounts yet: anyone administers
    published = write_json(tmp_path / "city.json", city_catalogue(counter, days=4, fee=15000))
    done = cli(tmp_path, "central", "publish-catalogue", "--url", central.admin_url, str(published), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "version": "hcm-2026.3",
        "added": [MARRIAGE, NEW_CODE],
        "updated": [],
        "unchanged": 0,
    }
    assert publish_calendar(parse_central_url(central.admin_url), None, CalendarYear.from_json_dict(decision_2027()))

    sync(counter, central, AGENCY_A, 1)
    marriage = counter.catalogue.get_procedure_spec(MARRIAGE)
    assert (marriage.days, marriage.fee, marriage.demo) == (4, 15000, False)
    assert counter.catalogue.get_procedure_spec(NEW_CODE).name == procedure_data()["name"]
    year = counter.calendar.get_year(2027)
    assert (year.version, year.estimated) == ("vn-2027.test", False)
    applied = [e for e in counter.catalogue.list_admin_events() if e.kind == CENTRAL_APPLIED]
    assert {e.subject for e in applied} == {f"procedure:{MARRIAGE}", f"procedure:{NEW_CODE}", "calendar:2027"}
    over_local = next(e for e in applied if e.subject == f"procedure:{MARRIAGE}")
    assert over_local.source == "central"
    assert over_local.before is not None and over_local.before["days"] == 8
    assert over_local.after is not None and over_local.after["days"] == 4

    # a later local edit lasts until the next sync, which applies the central's version again (and logs it)
    counter.catalogue.save_procedure(marriage.to_json_dict() | {"days": 9}, new=False)
    assert counter.catalogue.list_admin_events()[0].kind == PROCEDURE_UPDATED
    sync(counter, central, AGENCY_A, 1)
    assert counter.catalogue.get_procedure_spec(MARRIAGE).days == 4
    latest = counter.catalogue.list_admin_events()[0]
    assert (latest.kind, latest.subject) == (CENTRAL_APPLIED, f"procedure:{MARRIAGE}")
    assert latest.before is not None and latest.before["days"] == 9
    count = len(counter.catalogue.list_admin_events())
    sync(counter, central, AGENCY_A, 1)  # nothing differs: nothing applied, nothing logged
    assert len(counter.catalogue.list_admin_events()) == count

    # a new dossier follows the central's version; another agency's counter gets the same catalogue
    result = counter.intake.accept(_form())
    assert counter.dossiers.get_state(result.code or "").processing_days == 4
    other = make_counter(AGENCY_B, 1)
    sync(other, central, AGENCY_B, 1)
    assert other.catalogue.get_procedure_spec(MARRIAGE).days == 4
    assert not other.calendar.get_year(2027).estimated


def _form() -> Any:
    from security.security_support import person_form

    return person_form(MARRIAGE)


def test_counters_read_the_published_data_but_cannot_change_it(central: Any, make_counter: Any, tmp_path: Path) -> None:
    counter = make_counter(AGENCY_A, 1)
    published = write_json(tmp_path / "city.json", city_catalogue(counter, days=4))
    assert cli(tmp_path, "central", "publish-catalogue", "--url", central.admin_url, str(published)).returncode == 0
    # a counter reaches the published data only through the sync service, which offers no way to change it
    with httpx.Client(
        base_url=central.service_url(),
        verify=ssl.create_default_context(cafile=central.ca_file),
        headers={"Authorization": f"Bearer {central.credential(AGENCY_A, 1)}"},
    ) as http:
        answer = http.post("/v1/published", json={"procedures": {}, "calendars": {}})
        assert answer.status_code == 200, answer.text
        assert len(answer.json()["procedures"]) == 2
        for method in ("PUT", "PATCH", "DELETE"):
            assert http.request(method, "/v1/published").status_code == 405
    # nor can the service's own role, acting for that counter (row-level security and grants as defence in depth)
    with central.admin() as conn:
        configure(conn, roles_for(central.dbname).service)
        act_for(conn, Counter(AGENCY_A, 1, 1, 3))
        assert conn.execute("SELECT count(*) FROM central.published_procedure").fetchone() == (2,)
        for statement in (
            "UPDATE central.published_procedure SET catalogue_version = 'forged'",
            "DELETE FROM central.published_procedure",
            "INSERT INTO central.published_calendar (year, version, data, digest) "
            "VALUES (2030, 'x', '{\"year\": 2030}', repeat('0', 64))",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    assert central.count("SELECT count(*) FROM central.published_procedure WHERE catalogue_version = 'hcm-2026.3'") == 2


def test_an_invalid_catalogue_is_refused_before_anything_is_published(central: Any, tmp_path: Path) -> None:
    bad = write_json(tmp_path / "bad.json", {"procedures": [procedure_data(), procedure_data(code="X.2", days=-3)]})
    done = cli(tmp_path, "central", "publish-catalogue", "--url", central.admin_url, str(bad))
    assert done.returncode == 2
    assert "Thủ tục thứ 2 (X.2), trường days" in done.stderr
    assert central.count("SELECT count(*) FROM central.published_procedure") == 0
    again = cli(tmp_path, "central", "publish-calendar", "--url", central.admin_url, str(tmp_path / "missing.json"))
    assert again.returncode == 2
    assert central.count("SELECT count(*) FROM central.published_calendar") == 0


def test_a_failing_catalogue_step_does_not_fail_the_sync(central: Any, make_counter: Any, tmp_path: Path) -> None:
    counter = make_counter(AGENCY_A, 1)
    published = write_json(tmp_path / "city.json", city_catalogue(counter, days=4))
    assert cli(tmp_path, "central", "publish-catalogue", "--url", central.admin_url, str(published)).returncode == 0
    counters = roles_for(central.dbname).counters
    with central.admin() as conn:
        conn.execute(f'REVOKE SELECT ON central.published_procedure FROM "{counters}"')
    result = counter.intake.accept(_form())
    report = sync(counter, central, AGENCY_A, 1)
    assert report.complete and report.pushed >= 1
    last = counter.sync.last_sync()
    assert last is not None and last.ok
    assert counter.catalogue.get_procedure_spec(MARRIAGE).days == 5  # the local version stays
    assert central.count("SELECT count(*) FROM central.dossier WHERE code = %s", result.code) == 1
