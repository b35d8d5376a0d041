"""Dates, times and amounts as Vietnamese administrative documents write them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from print_samples import vn

from counter_app.printing.formatting import amount_in_words, long_date, long_moment, money, short_date


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # Nghị định 30/2020: a leading zero for days below 10 and for the months 1 and 2 only
        (vn(2026, 3, 2), "ngày 02 tháng 3 năm 2026"),
        (vn(2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
        (vn(2026, 2, 14), "ngày 14 tháng 02 năm 2026"),
        (vn(2026, 12, 31), "ngày 31 tháng 12 năm 2026"),
        (vn(2026, 10, 1), "ngày 01 tháng 10 năm 2026"),
    ],
)
def test_long_date(moment: datetime, expected: str) -> None:
    assert long_date(moment) == expected


def test_long_moment_is_on_the_24_hour_clock() -> None:
    assert long_moment(vn(2026, 3, 5, 17, 0)) == "17 giờ 00 phút, ngày 05 tháng 3 năm 2026"
    assert long_moment(vn(2026, 3, 5, 7, 30)) == "07 giờ 30 phút, ngày 05 tháng 3 năm 2026"


def test_moments_are_written_in_vietnams_time() -> None:
    # 20:30 UTC on 31/12/2025 is already 03:30 on 01/01/2026 in Ho Chi Minh City
    moment = datetime(2025, 12, 31, 20, 30, tzinfo=UTC)
    assert long_moment(moment) == "03 giờ 30 phút, ngày 01 tháng 01 năm 2026"
    assert short_date(moment) == "01/01/2026"


def test_short_date() -> None:
    assert short_date(vn(2026, 3, 2)) == "02/03/2026"


def test_money_groups_thousands_with_dots() -> None:
    assert money(8000) == "8.000 đồng"
    assert money(1250000) == "1.250.000 đồng"
    assert money(500) == "500 đồng"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (8000, "Tám nghìn đồng"),
        (10000, "Mười nghìn đồng"),
        (15000, "Mười lăm nghìn đồng"),
        (21000, "Hai mươi mốt nghìn đồng"),
        (25000, "Hai mươi lăm nghìn đồng"),
        (105, "Một trăm linh năm đồng"),
        (100000, "Một trăm nghìn đồng"),
        (1005000, "Một triệu không trăm linh năm nghìn đồng"),
        (2500000, "Hai triệu năm trăm nghìn đồng"),
        (1000000000, "Một tỷ đồng"),
    ],
)
def test_amount_in_words(amount: int, words: str) -> None:
    assert amount_in_words(amount) == words


def test_negative_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="range"):
        amount_in_words(-1)
