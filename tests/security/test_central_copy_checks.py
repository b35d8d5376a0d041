"""Only the sync service's address in the settings, and the comparison of a chain with the central's copy."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from counter_app.bootstrap import build_services
from counter_app.domain.audit_chain import Breakage, ChainLink, HeldLink, compare_with_central
from counter_app.errors import ValidationError
from counter_app.services.common.clock import SystemClock
from counter_app.services.common.settings import parse_setting, settings_from_store


def test_the_central_url_setting_takes_only_the_sync_service(tmp_path: Path) -> None:
    # counters hold no database login (issue 18): a PostgreSQL address, with or without a password, is refused
    for database in ("postgresql://quay_1:bi-mat@may-chu:5432/trung_tam", "postgresql://quay_1@may-chu/trung_tam"):
        with pytest.raises(ValidationError, match="chỉ đồng bộ qua dịch vụ đồng bộ") as refused:
            parse_setting("central_url", database)
        assert refused.value.field == "central_url"
        assert "https://" in refused.value.message
    assert parse_setting("central_url", " https://dong-bo.example.vn:8443 ") == "https://dong-bo.example.vn:8443"
    assert parse_setting("central_url", "") == ""
    services = build_services(tmp_path / "c.db", SystemClock())
    try:
        services.setup.init_local(agency_code="000.17.22.H56", agency_name="UBND phường Bến Thành", counter=1)
        with pytest.raises(ValidationError):
            services.setup.set_setting("central_url", "postgresql://quay_1:bi-mat@may-chu/trung_tam")
        assert services.context.settings().central_url == ""
    finally:
        services.close()
    # an address stored by an older version never yields its password
    stored = settings_from_store({"central_url": "postgresql://quay_1:bi-mat@may-chu:5432/trung_tam?sslmode=require"})
    assert "bi-mat" not in stored.central_url


def _chain(n: int) -> list[ChainLink]:
    links = []
    prev = ""
    for seq in range(1, n + 1):
        link = ChainLink(
            f"u{seq}", "dossier.received", "d", "{}", "2026-03-02T09:00:00+07:00", "A", 1, seq, "", prev, f"h{seq}"
        )
        links.append(link)
        prev = link.hash
    return links


def test_the_central_copy_must_hold_the_same_links() -> None:
    local = _chain(4)
    sent = [(link, link.seq <= 3) for link in local]  # the fourth is not sent yet
    held = [HeldLink(link) for link in local[:3]]

    assert compare_with_central(sent, held).ok
    assert compare_with_central(sent, [*held, HeldLink(local[3])]).ok  # a lost acknowledgement
    # a dead letter's link withheld: compared by uuid and hashes only
    withheld = HeldLink(replace(local[1], kind="", payload="", occurred_at="", dossier_uuid=None), withheld=True)
    assert compare_with_central(sent, [held[0], withheld, held[2]]).ok

    edited = compare_with_central(sent, [held[0], HeldLink(replace(local[1], payload='{"x":1}')), held[2]])
    assert edited.broken is not None and (edited.broken.what, edited.broken.seq) == (Breakage.CENTRAL_EDITED, 2)
    missing = compare_with_central(sent, [held[0], held[2]])
    assert missing.broken is not None and (missing.broken.what, missing.broken.seq) == (Breakage.CENTRAL_MISSING, 2)
    extra_link = replace(local[3], uuid="x5", seq=5, prev_hash="h4", hash="h5")
    extra = compare_with_central(sent, [*held, HeldLink(extra_link)])
    assert extra.broken is not None and (extra.broken.what, extra.broken.seq) == (Breakage.CENTRAL_EXTRA, 5)
    assert "máy chủ trung tâm" in extra.broken.message
