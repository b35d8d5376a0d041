"""Document scanners: the Scanner interface, SANE through `scanimage` (Linux), and the platform's default one."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from counter_app.errors import CounterError, NotFoundError, RuleError
from counter_app.private_files import private_dir
from counter_app.services.attachments.pdf_assembly import Progress

log = logging.getLogger(__name__)

SOURCES = ("feeder", "flatbed")
MODES = ("Gray", "Color")


@dataclass(frozen=True)
class ScannerDevice:
    name: str  # what `scan(device=...)` takes
    label: str  # what a person reads


@dataclass(frozen=True)
class ScanRequest:
    """What to scan: on which device, how, and how many pages.

    `source` is "feeder" (until the feeder is empty, or `pages` pages) or "flatbed" (`pages` pages, 1 by
    default); `mode` is "Gray" or "Color"; `resolution` in dpi.
    """

    device: str
    mode: str
    resolution: int
    source: str
    pages: int | None = None


class Scanner(Protocol):
    def list_devices(self) -> list[ScannerDevice]: ...

    def scan(self, request: ScanRequest, into: Path, progress: Progress | None = None) -> list[Path]:
        """Scan into the folder `into` and return the page images (PNG) in order."""
        ...


# What the clerk reads when a scan stops, whichever the platform's scanner interface
PAPER_JAM = "Máy quét bị kẹt giấy. Gỡ giấy kẹt rồi quét lại giấy tờ này từ đầu."
FEEDER_EMPTY = "Khay nạp giấy không có giấy. Đặt giấy tờ vào khay rồi quét lại."
COVER_OPEN = "Nắp máy quét đang mở. Đóng nắp rồi quét lại."
SCAN_FAILED = "Máy quét báo lỗi; chưa lưu trang nào của lần quét này."


def scan_failure(message: str, scanned: int, *, detail: str, clerk_can_fix: bool) -> CounterError:
    """The error of a scan that stopped after `scanned` pages: none of them is kept, and the message says so."""
    if scanned:
        message = f"Máy quét dừng sau {scanned} trang. {message} Các trang đã quét không được lưu."
    return RuleError(message, detail=detail) if clerk_can_fix else CounterError(message, detail=detail)


# SANE's status codes, which scanimage also uses as its exit status (sane/sane.h)
_SANE_STATUS_MESSAGES = {
    3: "Máy quét đang bận (có thể một chương trình khác đang dùng). Thử lại sau ít phút.",
    6: PAPER_JAM,
    7: FEEDER_EMPTY,
    8: COVER_OPEN,
    11: "Không có quyền dùng máy quét này.",
}
_CLERK_CAN_FIX = frozenset({6, 7, 8})
_NORMAL_END = frozenset({5, 7})  # EOF and NO_DOCS: the batch ended the way batches end
_STATUS_LINE = re.compile(r"scanner status = (\d+)")
CLOSE_GRACE_S = 5.0  # after "Batch terminated", a backend still running this long is stuck closing the device


@dataclass(frozen=True)
class SaneOptions:
    """The values a device offers for the three options we set (empty when it does not have the option)."""

    sources: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    resolutions: tuple[int, ...] = ()  # a list of values offered
    resolution_range: tuple[int, int] | None = None

    def source_value(self, source: str) -> str | None:
        """The device's name for "feeder" or "flatbed" (backends differ: ADF, Automatic Document Feeder, ...)."""
        if source == "flatbed":
            found = [s for s in self.sources if re.search(r"flatbed|platen|glass", s, re.IGNORECASE)]
        else:
            found = [s for s in self.sources if re.search(r"adf|feeder|automatic", s, re.IGNORECASE)]
            # one side first: duplex and back-side sources exist only on some models
            found.sort(key=lambda s: bool(re.search(r"duplex|back|rear", s, re.IGNORECASE)))
        if found:
            return found[0]
        if self.sources:
            wanted = "khay nạp giấy tự động" if source == "feeder" else "mặt kính"
            raise RuleError(f"Máy quét này không có {wanted}; hãy chọn cách quét khác trong thiết lập.")
        return None

    def mode_value(self, mode: str) -> str | None:
        pattern = r"gr[ae]y" if mode == "Gray" else r"colou?r"
        exact = [m for m in self.modes if m.lower() == mode.lower()]
        found = exact or [m for m in self.modes if re.search(pattern, m, re.IGNORECASE)]
        return found[0] if found else None

    def resolution_value(self, resolution: int) -> int | None:
        if self.resolutions:
            return min(self.resolutions, key=lambda r: (abs(r - resolution), -r))
        if self.resolution_range is not None:
            low, high = self.resolution_range
            return max(low, min(high, resolution))
        return None


_OPTION_LINE = re.compile(r"^\s+--(source|mode|resolution)\s+(.+?)(?:\s+\[[^\]]*\])?\s*$")


def parse_sane_options(text: str) -> SaneOptions:
    """The options of `scanimage -d DEVICE -A` this program sets."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = _OPTION_LINE.match(line)
        if match and match.group(1) not in found:
            found[match.group(1)] = match.group(2)
    sources = tuple(found["source"].split("|")) if "source" in found else ()
    modes = tuple(found["mode"].split("|")) if "mode" in found else ()
    resolutions: tuple[int, ...] = ()
    resolution_range: tuple[int, int] | None = None
    if "resolution" in found:
        spec = re.sub(r"\(.*?\)", "", found["resolution"]).replace("dpi", "").strip()
        span = re.fullmatch(r"(\d+(?:\.\d+)?)\.\.(\d+(?:\.\d+)?)", spec)
        if span:
            resolution_range = (round(float(span.group(1))), round(float(span.group(2))))
        else:
            resolutions = tuple(round(float(v)) for v in spec.split("|") if re.fullmatch(r"\d+(?:\.\d+)?", v))
    return SaneOptions(sources, modes, resolutions, resolution_range)


class SaneScanner:
    """SANE through its command-line front end `scanimage` (Debian: sane-utils); no compiled binding needed.

    `extra_args` are passed to every scan (backend-specific options, e.g. the test backend's picture).
    """

    def __init__(
        self,
        program: str = "scanimage",
        *,
        extra_args: Sequence[str] = (),
        timeout: float = 900,
        close_grace: float = CLOSE_GRACE_S,
    ) -> None:
        self.program = program
        self.extra_args = tuple(extra_args)
        self.timeout = timeout
        self.close_grace = close_grace

    def _run(self, args: Sequence[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run([self.program, *args], capture_output=True, text=True, timeout=timeout, check=False)
        except FileNotFoundError:
            raise CounterError(
                "Chưa cài chương trình quét SANE (scanimage). Cài gói “sane-utils” rồi thử lại.",
                detail=f"{self.program} not found",
            ) from None
        except subprocess.TimeoutExpired:
            raise CounterError("Máy quét không trả lời.", detail=f"{self.program} {args[:2]} timed out") from None

    def list_devices(self) -> list[ScannerDevice]:
        result = self._run(["-f", "%d\t%v %m (%t)%n"])
        devices = []
        for line in result.stdout.splitlines():
            name, _, label = line.partition("\t")
            if name.strip():
                devices.append(ScannerDevice(name.strip(), label.strip() or name.strip()))
        return devices

    def options(self, device: str) -> SaneOptions:
        result = self._run(["-d", device, "-A"])
        if result.returncode != 0:
            raise NotFoundError(
                f"Không mở được máy quét “{device}”. Kiểm tra máy đã bật và đã nối với máy tính.",
                detail=result.stderr.strip()[-300:],
            )
        return parse_sane_options(result.stdout)

    def scan(self, request: ScanRequest, into: Path, progress: Progress | None = None) -> list[Path]:
        options = self.options(request.device)
        source_value = options.source_value(request.source)
        count = request.pages
        if count is None and (request.source == "flatbed" or source_value is None):
            count = 1
        args = ["-d", request.device, "--format=png", f"--batch={into / 'page-%04d.png'}", "--batch-print"]
        if source_value is not None:
            args.append(f"--source={source_value}")
        mode_value = options.mode_value(request.mode)
        if mode_value is not None:
            args.append(f"--mode={mode_value}")
        dpi = options.resolution_value(request.resolution)
        if dpi is not None:
            args.append(f"--resolution={dpi}")
        if count is not None:
            args.append(f"--batch-count={count}")
        args.extend(self.extra_args)
        return self._scan(args, into, count or 0, progress)

    def _scan(self, args: list[str], into: Path, total: int, progress: Progress | None) -> list[Path]:
        private_dir(into)  # scanned pages of a citizen's papers
        if progress is not None:
            progress(0, total, "Đang quét trang 1")
        try:
            process = subprocess.Popen(
                [self.program, *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                errors="replace",
                env={**os.environ, "LC_ALL": "C"},  # scanimage's messages are parsed: keep them untranslated
            )
        except FileNotFoundError:
            raise CounterError(
                "Chưa cài chương trình quét SANE (scanimage). Cài gói “sane-utils” rồi thử lại.",
                detail=f"{self.program} not found",
            ) from None
        watch = _ScanWatch(process, self.timeout, self.close_grace)
        scanned: list[Path] = []
        assert process.stdout is not None
        for line in process.stdout:  # --batch-print: one file name per finished page
            page = Path(line.strip())
            if line.strip() and page.exists():
                scanned.append(page)
                if progress is not None:
                    progress(len(scanned), total, f"Đã quét {len(scanned)} trang")
        code = watch.finish()
        stderr = watch.stderr()
        if watch.timed_out:
            raise CounterError("Máy quét không trả lời; chưa lưu trang nào của lần quét này.", detail=stderr[-600:])
        if watch.stuck_closing:
            # the pages were all delivered; only closing the device hung: the batch's own status decides
            statuses = _STATUS_LINE.findall(stderr)
            status = int(statuses[-1]) if statuses else 0
            log.warning("scanimage did not exit after its batch (last status %s); stopped it", status)
            code = 0 if status in _NORMAL_END else status
        if code != 0:
            raise _scan_error(code, len(scanned), stderr[-600:])
        if not scanned:
            raise RuleError(_SANE_STATUS_MESSAGES[7])
        return sorted(scanned)


class _ScanWatch:
    """Reads scanimage's messages and stops it when it hangs: too long overall, or closing after its batch.

    Some backends (SANE's own test backend among them, now and then) never return from closing the device
    after "Batch terminated"; without this the clerk would wait for the overall timeout.
    """

    def __init__(self, process: subprocess.Popen[str], timeout: float, close_grace: float) -> None:
        self.process = process
        self.timeout = timeout
        self.close_grace = close_grace
        self.timed_out = False
        self.stuck_closing = False
        self._lines: list[str] = []
        self._batch_over = threading.Event()
        self._reader = threading.Thread(target=self._read, name="scanimage-stderr", daemon=True)
        self._guard = threading.Thread(target=self._watch, name="scanimage-guard", daemon=True)
        self._reader.start()
        self._guard.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._lines.append(line)
            if line.startswith("Batch terminated"):
                self._batch_over.set()

    def _watch(self) -> None:
        deadline = time.monotonic() + self.timeout
        while self.process.poll() is None:
            if self._batch_over.wait(0.1):
                try:
                    self.process.wait(timeout=self.close_grace)
                except subprocess.TimeoutExpired:
                    self.stuck_closing = True
                    self.process.kill()
                return
            if time.monotonic() > deadline:
                self.timed_out = True
                self.process.kill()
                return

    def finish(self) -> int:
        code = self.process.wait()
        self._guard.join()
        self._reader.join(timeout=5)
        return code

    def stderr(self) -> str:
        return "".join(self._lines)


def _scan_error(code: int, scanned: int, stderr: str) -> CounterError:
    return scan_failure(
        _SANE_STATUS_MESSAGES.get(code, SCAN_FAILED),
        scanned,
        detail=f"scanimage exit {code}: {stderr.strip()}",
        clerk_can_fix=code in _CLERK_CAN_FIX,
    )


def default_scanner() -> Scanner:
    """WIA on Windows, SANE elsewhere (macOS has SANE too, through Homebrew)."""
    if sys.platform == "win32":
        from counter_app.services.attachments.wia_scanner import WiaScanner

        return WiaScanner()
    return SaneScanner()
