"""The demo's invented applicants and identifiers: names, personal identifiers, phones, addresses, dated UUIDs."""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from datetime import datetime

from counter_app.domain.citizen import PROVINCE_CODES

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bích"]
GIVEN_M = ["Anh", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khang", "Long", "Nam", "Phúc", "Quân", "Sơn", "Tâm", "Vinh"]
GIVEN_F = ["An", "Châu", "Đào", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Ngân", "Oanh", "Trang", "Yến"]
STREETS = ["Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Pasteur", "Lý Tự Trọng", "Trần Hưng Đạo", "Điện Biên Phủ"]
_PROVINCES = tuple(sorted(PROVINCE_CODES))


def invented_person(rng: random.Random) -> tuple[str, str, str, str]:
    """A plausible citizen: name, personal identifier (province, century and sex, year of birth), phone, address."""
    draw = rng.random  # random() scaled to a length: a few times faster than randint/choice, as random

    def pick(options: Sequence[str]) -> str:
        return options[int(draw() * len(options))]

    female = draw() < 0.5
    year = 1950 + int(draw() * 57)
    name = f"{pick(FAMILY)} {pick(MIDDLE_F if female else MIDDLE_M)} {pick(GIVEN_F if female else GIVEN_M)}"
    century = 0 if year < 2000 else 2
    digit = century + (1 if female else 0)
    identifier = f"{pick(_PROVINCES)}{digit}{year % 100:02d}{int(draw() * 1_000_000):06d}"
    phone = f"09{int(draw() * 100_000_000):08d}"
    address = f"{1 + int(draw() * 300)} {pick(STREETS)}, phường Minh Họa, Thành phố Hồ Chí Minh"
    return name, identifier, phone, address


def dated_uuids(count: int, at: datetime) -> list[str]:
    """`count` UUIDs as text, version 7 like identities.new_uuid's but stamped `at` (the demo's day, not now) and in
    increasing order (a counter in the 12 bits after the version), the rest random from one read of the system's
    randomness."""
    first_ms = int(at.timestamp() * 1000)
    raw = os.urandom(8 * count).hex()
    out = []
    for index in range(count):
        stamp = f"{first_ms + (index >> 12):012x}"
        tail = raw[16 * index : 16 * index + 16]
        variant = "89ab"[int(tail[0], 16) & 3]
        out.append(f"{stamp[:8]}-{stamp[8:]}-7{index & 0xFFF:03x}-{variant}{tail[1:4]}-{tail[4:]}")
    return out
