"""The Windows installer script compiles with makensis against a tiny fake one-folder build (no PyInstaller)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "installer" / "windows" / "counter_app.nsi"
PRODUCT = "Bộ phận Một cửa"

if shutil.which("makensis") is None:
    pytest.skip("makensis (Debian package nsis) is needed", allow_module_level=True)


@pytest.fixture
def fake_dist(tmp_path: Path) -> Path:
    """The shape of PyInstaller's one-folder build on Windows: two programs and the _internal folder."""
    dist = tmp_path / "dist" / "counter-app"
    (dist / "_internal" / "resources" / "fonts").mkdir(parents=True)
    (dist / "counter-app.exe").write_bytes(b"MZ window program")
    (dist / "counter-app-cli.exe").write_bytes(b"MZ console program")
    (dist / "_internal" / "python311.dll").write_bytes(b"\0" * 4096)
    (dist / "_internal" / "resources" / "fonts" / "NotoSans-Regular.ttf").write_bytes(b"\0\1\0\0font")
    return dist


def test_makensis_builds_the_installer_with_every_file(fake_dist: Path, tmp_path: Path) -> None:
    setup = tmp_path / "counter-app-setup-9.8.7.exe"
    proc = subprocess.run(
        ["makensis", "-V4", "-DVERSION=9.8.7", f"-DDIST_DIR={fake_dist}", f"-DOUT_FILE={setup}", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    data = setup.read_bytes()
    assert data[:2] == b"MZ"
    assert b"PE\0\0" in data[:1024]  # a Windows executable
    # the version resource, uncompressed in the .exe, carries the Vietnamese product name and the version
    assert PRODUCT.encode("utf-16-le") in data
    assert "9.8.7".encode("utf-16-le") in data
    added = set(re.findall(r'^File: "([^"]+)"', proc.stdout, re.MULTILINE))
    assert {"counter-app.exe", "counter-app-cli.exe", "python311.dll", "NotoSans-Regular.ttf"} <= added
    # shortcuts in the Start menu and on the desktop, both to the window program
    shortcuts = re.findall(r'^CreateShortcut: "([^"]+)"->"([^"]+)"', proc.stdout, re.MULTILINE)
    targets = {link: target for link, target in shortcuts}
    assert targets[f"$DESKTOP\\{PRODUCT}.lnk"] == "$INSTDIR\\counter-app.exe"
    assert targets[f"$SMPROGRAMS\\{PRODUCT}\\{PRODUCT}.lnk"] == "$INSTDIR\\counter-app.exe"
    # one interface language, Vietnamese (MUI_LANGUAGE "Vietnamese" loads it; another would add a table)
    assert re.search(r"^Install: .*\b1 language table\b", proc.stdout, re.MULTILINE), proc.stdout[-2000:]
    assert "Vietnamese" in SCRIPT.read_text(encoding="utf-8")


def test_the_uninstaller_leaves_the_data_folder_alone() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    uninstall = text[text.index('Section "Uninstall"') :]
    uninstall = uninstall[: uninstall.index("SectionEnd")]
    code = "\n".join(line.split(";")[0] for line in uninstall.splitlines())
    assert "APPDATA" not in code.upper()  # %LOCALAPPDATA%\counter_app holds the database and backups
    assert "$PROFILE" not in code
    # the install folder is removed only when empty: a recursive delete could take a user's files with it
    assert not re.search(r'RMDir\s+/r\s+"\$INSTDIR"\s*$', code, re.MULTILINE)
    assert re.search(r'RMDir\s+/r\s+"\$INSTDIR\\_internal"', code)
