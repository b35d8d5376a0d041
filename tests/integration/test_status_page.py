"""The citizen's status page: the receipt's QR, synced through the real service, opened over TLS (HTTP and Chromium)."""

from __future__ import annotations

import os
import shutil
import ssl
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from printing.pdf_readback import decode_symbols
from sync_helpers import AGENCY_A, REPO, MakeCounter
from sync_service_support import SyncService

from counter_app.bootstrap import Services
from counter_app.domain.clock import to_vn
from counter_app.domain.codes import looks_like_dossier_code
from counter_app.domain.intake import IntakeForm
from counter_app.domain.status_link import code_in_scan
from counter_app.errors import CounterError
from counter_app.identities import new_status_key

NAME = "Nguyễn Thị Đào"
MASKED = "Ng**** T** Đ**"
IDENTIFIER = "079190001234"
PHONE = "0903123456"
ADDRESS = "12 Lê Lợi, phường Bến Thành"
DESK_PHONE = "028 3829 1234"
MISSING = "Bản sao giấy chứng nhận kết hôn của cha mẹ"
LATE_REASON = "Cần xác minh thêm thông tin tại nơi cư trú trước đây"
SCREENSHOT = REPO / "docs" / "screenshots" / "status_page.png"


def _counter(make_counter: MakeCounter) -> Services:
    counter = make_counter(AGENCY_A, 1)
    counter.setup.set_setting("contact_phone", DESK_PHONE)
    return counter


def _accept(counter: Services) -> str:
    form = IntakeForm(procedure_code="DEMO.KH", name=NAME, identifier=IDENTIFIER, address=ADDRESS, phone=PHONE)
    code = counter.intake.accept(form).code
    assert code is not None
    return code


def _sync(counter: Services, service: SyncService, copy: int = 1) -> None:
    report = counter.sync.sync_now(
        central_url=service.urls[copy], credential=service.credential(AGENCY_A, 1), ca_file=str(service.ca_file)
    )
    assert report.complete, report


def _receipt_link(counter: Services, code: str, tmp_path: Path) -> str:
    """The receipt rendered to PDF and its QR read back by zbarimg, as a phone's camera would."""
    result = counter.documents.render(code, "receipt", tmp_path / f"receipt-{code}.pdf")
    symbols = [s.split(":", 1)[1] for s in decode_symbols(result.path, page=1) if s.startswith("QR-Code:")]
    assert len(symbols) == 1, symbols
    return symbols[0]


def _reappoint(counter: Services, code: str) -> date:
    due = counter.dossiers.get_state(code).due_at
    assert due is not None
    for days in range(1, 20):  # the first working day after the appointment the calendar accepts
        candidate = to_vn(due).date() + timedelta(days=days)
        try:
            counter.late.reappoint(code, reason=LATE_REASON, new_date=candidate)
        except CounterError:
            continue
        return candidate
    raise AssertionError("no working day accepted for the new appointment")


def _http(service: SyncService) -> httpx.Client:
    return httpx.Client(verify=ssl.create_default_context(cafile=str(service.ca_file)), timeout=30)


def _other_key(link: str) -> str:
    wrong = new_status_key()
    return link.rsplit("=", 1)[0] + "=" + wrong


def _unknown_code(link: str, code: str) -> str:
    unknown = code[:-3] + ("999" if not code.endswith("999") else "998")
    return link.replace(f"/s/{code}?", f"/s/{unknown}?")


# --- over HTTP ---------------------------------------------------------------------------------------------


def test_the_receipt_links_to_the_page_learnt_at_the_last_sync(
    service: SyncService, make_counter: MakeCounter, tmp_path: Path
) -> None:
    counter = _counter(make_counter)
    first = _accept(counter)
    assert counter.context.settings().status_url_template == ""
    _sync(counter, service, copy=1)  # through the second copy: every copy announces the one public address
    assert counter.context.settings().status_url_template == f"{service.public_url}/s/{{code}}?k={{key}}"

    # printed offline after the sync (nothing else synced): the link is already there, with this dossier's key
    code = _accept(counter)
    link = _receipt_link(counter, code, tmp_path)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == service.public_url
    assert parts.path == f"/s/{code}" and parts.query.startswith("k=") and len(parts.query) == 2 + 22
    # the desk's scanner still reads the QR as the dossier
    assert looks_like_dossier_code(link) and code_in_scan(link) == code
    assert looks_like_dossier_code(link.upper()) and counter.dossiers.get_dossier(link.upper()).code == code
    # the first dossier's receipt (printed now) carries its own key, not the second's
    other = _receipt_link(counter, first, tmp_path)
    assert other.split("?k=")[1] != link.split("?k=")[1]

    with _http(service) as http:
        waiting = http.get(link)  # not synced yet: the counter will send it
        assert waiting.status_code == 404
        assert "Quầy tiếp nhận sẽ gửi lên" in waiting.text
        _sync(counter, service)
        page = http.get(link)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
    source = page.text
    assert '<meta charset="utf-8">' in source and 'name="viewport"' in source
    assert "Đã tiếp nhận" in source and MASKED in source and DESK_PHONE in source
    state = counter.dossiers.get_state(code)
    assert state.due_at is not None
    assert f"{to_vn(state.received_at):%d/%m/%Y %H:%M}" in source
    assert f"{to_vn(state.due_at):%d/%m/%Y %H:%M}" in source
    assert state.procedure_name in source and "UBND phường Bến Thành" in source
    for secret in (IDENTIFIER, PHONE, ADDRESS, "Lê Lợi", NAME, "Nguyễn"):
        assert secret not in source


def test_a_wrong_key_and_an_unknown_code_get_the_same_answer(
    service: SyncService, make_counter: MakeCounter, tmp_path: Path
) -> None:
    counter = _counter(make_counter)
    code = _accept(counter)
    _sync(counter, service)
    link = _receipt_link(counter, code, tmp_path)
    with _http(service) as http:
        assert http.get(link).status_code == 200
        wrong = http.get(_other_key(link))
        unknown = http.get(_unknown_code(link, code))
        bare = http.get(link.split("?")[0])  # the code alone opens nothing
        malformed = http.get(link + "x")
    assert (wrong.status_code, unknown.status_code) == (404, 404)
    assert wrong.text == unknown.text
    assert "chưa nhận được hồ sơ này" in wrong.text and NAME not in wrong.text and MASKED not in wrong.text
    assert bare.status_code == malformed.status_code == 404
    assert MASKED not in bare.text and MASKED not in malformed.text


def test_repeated_misses_from_one_address_are_refused_for_a_while(
    service: SyncService, make_counter: MakeCounter, tmp_path: Path
) -> None:
    counter = _counter(make_counter)
    code = _accept(counter)
    _sync(counter, service)
    link = _receipt_link(counter, code, tmp_path)
    with _http(service) as http:
        answers = [http.get(_other_key(link)).status_code for _ in range(10)]
        refused = http.get(_other_key(link))
        right = http.get(link)  # refused too: the throttle answers before the database is asked
        other_copy = http.get(link.replace(service.urls[0], service.urls[1]))  # each copy counts its own
    assert answers == [404] * 10
    assert refused.status_code == right.status_code == 429
    assert int(refused.headers["retry-after"]) > 0 and "Tạm ngừng tra cứu" in right.text
    assert other_copy.status_code == 200


# --- in a real browser -------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser() -> Iterator[object]:
    """Debian's headless Chromium at 360×740 (a phone), driven by Selenium through Debian's chromedriver."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",  # root in the test container
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=360,740",
        # The service's certificate comes from the test run's throwaway CA, which Chromium (NSS) does not know;
        # accepted for this loopback test only. The HTTP tests above verify the same server against that CA.
        "--ignore-certificate-errors",
        "--lang=vi-VN",
    ):
        options.add_argument(flag)
    os.environ.setdefault("SE_AVOID_STATS", "true")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": True}
        )
        yield driver
    finally:
        driver.quit()


def _text(driver: object, element_id: str) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.ID, element_id).text)  # type: ignore[attr-defined]


def test_a_citizen_follows_the_dossier_in_a_phone_browser(
    service: SyncService, make_counter: MakeCounter, tmp_path: Path, browser: object
) -> None:
    driver = browser
    counter = _counter(make_counter)
    _sync(counter, service)  # the counter learns the page's address
    code = _accept(counter)
    link = _receipt_link(counter, code, tmp_path)
    _sync(counter, service)

    driver.get(link)  # type: ignore[attr-defined]
    assert _text(driver, "stage") == "Đã tiếp nhận"
    state = counter.dossiers.get_state(code)
    assert state.due_at is not None
    assert _text(driver, "appointment") == f"{to_vn(state.due_at):%d/%m/%Y %H:%M}"
    assert _text(driver, "applicant") == MASKED
    assert DESK_PHONE in _text(driver, "contact")
    width = driver.execute_script("return [window.innerWidth, document.documentElement.scrollWidth]")  # type: ignore[attr-defined]
    assert width == [360, 360], width  # readable at 360 px: nothing wider than the screen

    # the deciding agency asks for a paper: the page says so after the counter's next sync, not before
    counter.dossiers.transfer(code)
    counter.dossiers.request_supplement(code, MISSING)
    driver.refresh()  # type: ignore[attr-defined]
    assert _text(driver, "stage") == "Đã tiếp nhận"
    _sync(counter, service)
    driver.refresh()  # type: ignore[attr-defined]
    assert _text(driver, "stage") == "Cần bổ sung"
    assert _text(driver, "missing") == MISSING

    # the paper comes in, then the dossier runs late: the apology's new appointment and its reason
    counter.dossiers.receive_supplement(code)
    new_day = _reappoint(counter, code)
    _sync(counter, service)
    driver.refresh()  # type: ignore[attr-defined]
    assert _text(driver, "stage") == "Đang giải quyết"
    late = _text(driver, "late")
    assert f"Hẹn mới: {new_day:%d/%m/%Y}" in late and LATE_REASON in late
    assert _text(driver, "appointment").startswith(f"{new_day:%d/%m/%Y}")
    source = str(driver.page_source)  # type: ignore[attr-defined]
    for secret in (IDENTIFIER, PHONE, ADDRESS, NAME):
        assert secret not in source
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(SCREENSHOT))  # type: ignore[attr-defined]

    # a wrong key shows exactly what an unknown code shows
    driver.get(_other_key(link))  # type: ignore[attr-defined]
    wrong = str(driver.find_element("tag name", "body").text)  # type: ignore[attr-defined]
    driver.get(_unknown_code(link, code))  # type: ignore[attr-defined]
    unknown = str(driver.find_element("tag name", "body").text)  # type: ignore[attr-defined]
    assert wrong == unknown and "chưa nhận được hồ sơ này" in wrong and MASKED not in wrong
