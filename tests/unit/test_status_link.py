"""The receipt's status link and the status page's throttle: pure functions, an injected clock."""

from __future__ import annotations

from counter_app.central.status_page import MissThrottle
from counter_app.domain.codes import looks_like_dossier_code
from counter_app.domain.status_link import (
    code_in_scan,
    status_link,
    status_url_template,
)

CODE = "000.17.22.H56-261207-1001"


def test_the_link_needs_a_page_and_a_key_else_the_bare_code() -> None:
    template = status_url_template("https://tra-cuu.hcm.example/")
    assert template == "https://tra-cuu.hcm.example/s/{code}?k={key}"
    assert status_link(template, CODE, "K" * 22) == f"https://tra-cuu.hcm.example/s/{CODE}?k={'K' * 22}"
    assert status_link(template, CODE, "") == CODE  # a dossier taken in before keys existed
    assert status_link("", CODE, "K" * 22) == CODE  # the counter does not know the page yet
    assert status_link("https://old.example/{code}", CODE, "K" * 22) == f"https://old.example/{CODE}"


def test_the_scanner_reads_the_code_in_a_link_even_typed_in_capitals() -> None:
    link = f"https://tra-cuu.hcm.example/s/{CODE}?k=Ab-_{'x' * 18}"
    for scanned in (link, link.upper(), f" {link}\n", CODE.lower()):
        assert code_in_scan(scanned) == CODE
        assert looks_like_dossier_code(scanned)
    assert not looks_like_dossier_code(f"https://tra-cuu.hcm.example/s/{CODE}")  # no key: not our link


def test_misses_are_counted_per_address_and_forgotten_after_the_window() -> None:
    now = [1000.0]
    throttle = MissThrottle(max_misses=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait_for("10.0.0.1") == 0
        throttle.miss("10.0.0.1")
    assert throttle.wait_for("10.0.0.1") == 60
    assert throttle.wait_for("10.0.0.2") == 0
    now[0] += 30
    assert throttle.wait_for("10.0.0.1") == 30
    now[0] += 30
    assert throttle.wait_for("10.0.0.1") == 0
