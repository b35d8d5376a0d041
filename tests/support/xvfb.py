"""A virtual X screen (Xvfb) on a display number no other server uses, started and stopped by a test."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

X11_SOCKETS = Path("/tmp/.X11-unix")


def free_display(first: int = 140, last: int = 400) -> int:
    """A display number with neither a socket nor a lock file (another run, the screenshots, a desktop)."""
    for number in range(first, last):
        if not (X11_SOCKETS / f"X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError(f"no free X display between :{first} and :{last}")


@contextlib.contextmanager
def xvfb_screen(size: str = "1366x768x24") -> Iterator[str]:
    """Xvfb on a free display, as ":N", for the length of the block; stopped (and waited for) afterwards."""
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is missing: make deps installs it")
    for _attempt in range(5):  # another run may take the same number between the check and the start
        number = free_display()
        display = f":{number}"
        server = subprocess.Popen(
            ["Xvfb", display, "-screen", "0", size, "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while server.poll() is None and not (X11_SOCKETS / f"X{number}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if server.poll() is None and (X11_SOCKETS / f"X{number}").exists():
            break
        server.kill()
        server.wait(timeout=10)
    else:
        raise RuntimeError("Xvfb did not start")
    try:
        yield display
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
