"""The desk on a real X screen (Xvfb, 1366×768): the window asks no more than 1366×728 of a window manager, takes
1366×728 and 1280×720, and every action button of the intake, its confirmation and a dossier lies inside it.

The window runs in a process of its own (desk_probe.py, platform xcb): this process already has an offscreen
QApplication, and Qt allows one per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from support.xvfb import xvfb_screen

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("desk_probe.py")
BUDGET = (1366, 728)


def run_probe() -> dict[str, Any]:
    with xvfb_screen("1366x768x24") as display:
        env = os.environ | {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, str(PROBE)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
        )
    assert done.returncode == 0, done.stderr[-4000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_the_desk_fits_1366x728_and_1280x720_on_x11() -> None:
    report = run_probe()
    assert report["platform"] == "xcb"
    screens = report["screens"]
    assert set(screens) == {"intake", "confirmation", "dossier_result_ready", "dossier_received"}
    for name, shots in screens.items():
        for shot in shots:
            asked = shot["asked"]
            where = f"{name} at {asked[0]}×{asked[1]}"
            min_width, min_height = shot["x_min_size"]
            assert min_width <= 1280 and min_height <= 720, where  # what a window manager is told
            assert shot["min_size_hint"][0] <= BUDGET[0] and shot["min_size_hint"][1] <= BUDGET[1], where
            assert shot["x_geometry"] == asked, where  # no minimum forced the window larger
            assert shot["qt_geometry"] == asked, where
            buttons = shot["buttons_inside"]
            assert buttons, where
            outside = [text for text, inside in buttons.items() if not inside]
            assert outside == [], where
    assert {"Tiếp nhận", "Yêu cầu bổ sung", "Từ chối", "Nhập lại"} <= set(screens["intake"][0]["buttons_inside"])
    for shot in screens["intake"]:  # the complete form, filer group unfolded: nothing to scroll, every field in view
        assert (shot["scroll_range"], shot["fields_out_of_view"]) == (0, []), shot["asked"]
    assert "Mở hồ sơ" in screens["confirmation"][0]["buttons_inside"]
    assert "Trả kết quả" in screens["dossier_result_ready"][0]["buttons_inside"]
    # a dossier just received allows the most actions at once: they all fit on the one row
    assert {"Chuyển xử lý", "Kết quả đã về", "Rút hồ sơ", "Sửa thông tin", "Hủy", "In giấy tiếp nhận"} <= set(
        screens["dossier_received"][1]["buttons_inside"]
    )
