"""`counter-app --self-test`: documents, backup and every screen in a throwaway folder, offscreen; exit 0."""

from __future__ import annotations

from pathlib import Path

from backup.backup_support import Counter

DOCUMENT_KINDS = ("receipt", "control", "fee", "withdrawal", "supplement", "refusal", "apology")


def test_self_test_passes_offscreen_and_leaves_nothing_behind(tmp_path: Path) -> None:
    counter = Counter(tmp_path / "home")
    run = counter.raw(["--self-test"], timeout=300)
    assert run.code == 0, str(run)
    lines = run.out.splitlines()
    assert lines[-1].startswith("Tự kiểm tra: cả ")
    assert not [line for line in lines if line.startswith("[LỖI]")]
    for kind in DOCUMENT_KINDS:
        assert f"[OK]  In giấy tờ “{kind}”" in run.out, kind
    for screen in ("Mở cửa sổ chính", "Mở màn hình tiếp nhận", "Mở màn hình hồ sơ", "Sao lưu có mã hóa và phục hồi"):
        assert any(line.startswith(f"[OK]  {screen}") for line in lines), screen
    assert any("Xem trước “receipt.pdf”" in line for line in lines)
    # the real installation's folders stay empty: the self-test works in a temporary folder of its own
    data = tmp_path / "home" / "xdg-data"
    assert not data.exists() or not any(p.is_file() for p in data.rglob("*"))
