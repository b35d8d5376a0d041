"""A private CUPS scheduler with a CUPS-PDF queue for the tests, and helpers to wait for its jobs.

cupsd runs from a temporary folder and listens only on a unix socket there (`CUPS_SERVER`). The cups-pdf
backend reads its settings from the fixed path /etc/cups/cups-pdf.conf (it ignores CUPS_SERVERROOT) and
Debian's AppArmor profile lets cupsd and cups-pdf touch only /etc/cups, /var/spool/cups and
/var/spool/cups-pdf. So cupsd runs in a private mount namespace where those three folders are the temporary
ones: the real ones are never touched and the PDFs land in the temporary folder. Where no mount namespace can
be made (a container without CAP_SYS_ADMIN), cupsd still runs from the temporary folder but cups-pdf follows
the machine's cups-pdf.conf (root's PDFs go to /root/PDF); the files the run creates there are removed after.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import pwd
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from support import wait_until

QUEUE = "CUPS-PDF"
CUPSD = "/usr/sbin/cupsd"
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
SYSTEM_CUPS_PDF_CONF = Path("/etc/cups/cups-pdf.conf")
# The folders cupsd and cups-pdf may use under Debian's AppArmor profile, replaced by private ones.
_ETC, _SPOOL, _PDF = Path("/etc/cups"), Path("/var/spool/cups"), Path("/var/spool/cups-pdf")


def cups_env(server: str) -> dict[str, str]:
    """The environment for a client process (lp, lpstat, Qt) of the scheduler at `server`."""
    return {**os.environ, "CUPS_SERVER": server}


def reset_cups_client() -> None:
    """Make libcups in this process read CUPS_SERVER again.

    libcups reads CUPS_SERVER (then client.conf) once per thread and keeps the answer; Qt's print support goes
    through libcups, so a change of CUPS_SERVER after Qt's first printer lookup is otherwise ignored.
    """
    name = ctypes.util.find_library("cups")
    if name is None:
        raise RuntimeError("libcups not found (Debian package libcups2)")
    ctypes.CDLL(name).cupsSetServer(None)


def wait_until_idle(queue: str, timeout: float = 60.0, server: str | None = None) -> None:
    """Wait until `queue` holds no unfinished job (`lpstat -o QUEUE` is empty)."""
    env = cups_env(server) if server else None
    last = ""

    def idle() -> bool:
        nonlocal last
        result = subprocess.run(["lpstat", "-o", queue], capture_output=True, text=True, env=env, check=False)
        last = result.stdout + result.stderr
        return result.returncode == 0 and not last.strip()

    try:
        wait_until(idle, timeout, f"print queue {queue} still busy")
    except TimeoutError as error:
        raise TimeoutError(f"{error}; lpstat -o said:\n{last}") from None


@dataclass
class CupsQueue:
    """A CUPS-PDF queue of a running scheduler: what the tests print to and where its PDFs land."""

    name: str
    server: str  # value for CUPS_SERVER: the scheduler's unix socket
    output_dir: Path
    private_output: bool  # False: cups-pdf writes to the machine's folder (no mount namespace)
    log_dir: Path
    started_at: float = field(default_factory=time.time)
    startup_seconds: float = 0.0

    @property
    def env(self) -> dict[str, str]:
        """Environment variables a client needs (QPrinter, lp, lpstat)."""
        return {"CUPS_SERVER": self.server}

    def wait_until_idle(self, timeout: float = 60.0) -> None:
        wait_until_idle(self.name, timeout, self.server)

    def print_file(self, path: Path, *lp_options: str) -> int:
        """Print a file with `lp` and return the CUPS job id."""
        result = subprocess.run(
            ["lp", "-d", self.name, *lp_options, str(path)],
            capture_output=True,
            text=True,
            env=cups_env(self.server),
            check=False,
        )
        found = re.search(r"request id is \S+-(\d+)", result.stdout)
        if result.returncode != 0 or found is None:
            raise RuntimeError(f"lp failed ({result.returncode}): {result.stdout}{result.stderr}")
        return int(found.group(1))

    def outputs(self) -> set[Path]:
        """The PDFs cups-pdf wrote since this queue was created."""
        if not self.output_dir.is_dir():
            return set()
        return {p for p in self.output_dir.glob("*.pdf") if p.stat().st_mtime >= self.started_at - 1}

    def output_of_job(self, job_id: int, timeout: float = 60.0) -> Path:
        """The PDF of a job, once the queue is idle (cups-pdf names it `<title>-job_<id>.pdf`)."""
        self.wait_until_idle(timeout)
        matches = [p for p in self.outputs() if p.name.endswith(f"-job_{job_id}.pdf")]
        if len(matches) != 1:
            raise RuntimeError(
                f"job {job_id}: expected one PDF in {self.output_dir}, found {matches}\n{self.log_tail()}"
            )
        return matches[0]

    def log_tail(self, lines: int = 40) -> str:
        """The end of the scheduler's error log (filter and backend messages), to explain a failed job."""
        try:
            text = (self.log_dir / "error_log").read_text(errors="replace")
        except OSError:
            return "(no cupsd error log)"
        return "--- cupsd error_log ---\n" + "\n".join(text.splitlines()[-lines:])


class CupsServer:
    """A cupsd of our own: configuration, spool and socket in one temporary folder."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.etc_dir = base_dir / "etc"  # ServerRoot, holds the socket
        self.spool_dir = base_dir / "spool"  # RequestRoot, cache, state and logs
        self.pdf_dir = base_dir / "cups-pdf"  # cups-pdf's output, spool and log
        self.socket = self.etc_dir / "cups.sock"
        self.process: subprocess.Popen[bytes] | None = None
        self.private_mounts = False
        self._system_leftovers: list[Path] = []

    def start(self, use_namespace: bool | None = None) -> None:
        """Write the configuration and start cupsd; `use_namespace=None` uses a mount namespace if possible."""
        if os.geteuid() != 0:
            raise RuntimeError(
                "the CUPS-PDF test queue needs root: cups-pdf's backend is mode 0700 and only a root "
                "cupsd can run it (CI runs `make test` as root)"
            )
        for path in (CUPSD, CUPS_PDF_BACKEND, CUPS_PDF_PPD):
            if not Path(path).exists():
                raise RuntimeError(f"{path} missing: install cups and printer-driver-cups-pdf (make deps)")
        # Filters run as user lp and must reach the PPD and spool files below this folder.
        self.base_dir.chmod(0o755)
        for folder in (self.etc_dir, self.spool_dir / "tmp", self.spool_dir / "log", self.pdf_dir / "out"):
            folder.mkdir(parents=True, exist_ok=True)
        (self.pdf_dir / "tmp").mkdir(exist_ok=True)
        (self.pdf_dir / "tmp").chmod(0o1777)  # Ghostscript's scratch folder, used as the job's owner
        self.private_mounts = self._can_mount() if use_namespace is None else use_namespace
        seen = self._seen_paths()
        self._write_config(seen)
        command = [
            CUPSD,
            "-f",
            "-c",
            str(seen[_ETC] / "cupsd.conf"),
            "-s",
            str(seen[_ETC] / "cups-files.conf"),
        ]
        if self.private_mounts:
            command = self._in_namespace(command)
        with (self.base_dir / "cupsd.out").open("wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=self.base_dir)
        try:
            wait_until(self._answers, 20, "cupsd does not answer on its socket")
        except TimeoutError as error:
            self.stop()
            raise RuntimeError(f"{error}\n{self._startup_output()}") from None

    def add_pdf_queue(self, name: str = QUEUE) -> CupsQueue:
        """Create a CUPS-PDF queue, enabled and accepting jobs."""
        result = subprocess.run(
            ["lpadmin", "-p", name, "-v", "cups-pdf:/", "-E", "-P", str(CUPS_PDF_PPD)],
            capture_output=True,
            text=True,
            env=cups_env(str(self.socket)),
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"lpadmin failed ({result.returncode}): {result.stderr}")
        if not self.private_mounts:
            self._system_leftovers = [p for p in self._system_cups_pdf_paths(name) if not p.exists()]
        return CupsQueue(
            name=name,
            server=str(self.socket),
            output_dir=self.pdf_dir / "out" if self.private_mounts else self._system_output_dir(),
            private_output=self.private_mounts,
            log_dir=self.spool_dir / "log",
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def remove_system_outputs(self, queue: CupsQueue) -> None:
        """Without private mounts: delete the PDFs this run left in the machine's cups-pdf folders."""
        if self.private_mounts:
            return
        for pdf in queue.outputs():
            if re.search(r"-job_\d+\.pdf$", pdf.name):
                pdf.unlink(missing_ok=True)
        for path in reversed(self._system_leftovers):
            with contextlib.suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink()

    # -- internals ---------------------------------------------------------------------------------------

    def _seen_paths(self) -> dict[Path, Path]:
        """Where cupsd sees each of its folders: the standard paths in the namespace, else ours."""
        ours = {_ETC: self.etc_dir, _SPOOL: self.spool_dir, _PDF: self.pdf_dir}
        return {standard: standard for standard in ours} if self.private_mounts else ours

    def _in_namespace(self, command: list[str]) -> list[str]:
        mounts = [(self.etc_dir, _ETC), (self.spool_dir, _SPOOL), (self.pdf_dir, _PDF)]
        script = " && ".join(
            [
                *(f"mount --bind {shlex.quote(str(a))} {shlex.quote(str(b))}" for a, b in mounts),
                "exec " + shlex.join(command),
            ]
        )
        return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script]

    def _can_mount(self) -> bool:
        try:
            probe = subprocess.run(self._in_namespace(["true"]), capture_output=True, check=False)
        except OSError:  # no unshare(1)
            return False
        return probe.returncode == 0

    def _write_config(self, seen: Mapping[Path, Path]) -> None:
        etc, spool, pdf = seen[_ETC], seen[_SPOOL], seen[_PDF]
        (self.etc_dir / "cups-files.conf").write_text(
            f"ServerRoot {etc}\nRequestRoot {spool}\nTempDir {spool}/tmp\nCacheDir {spool}/cache\n"
            f"StateDir {spool}/state\nErrorLog {spool}/log/error_log\nAccessLog {spool}/log/access_log\n"
            f"PageLog {spool}/log/page_log\nSystemGroup root\nLogFileGroup root\n"
        )
        # No authentication: a scheduler of the test run, reachable only through its socket in our folder.
        (self.etc_dir / "cupsd.conf").write_text(
            f"LogLevel debug\nListen {etc}/cups.sock\nBrowsing No\nBrowseLocalProtocols none\n"
            "DefaultAuthType None\nWebInterface No\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
        )
        (self.etc_dir / "cups-pdf.conf").write_text(
            f"Out {pdf}/out\nAnonDirName {pdf}/anonymous\nSpool {pdf}/SPOOL\nLog {pdf}/log\n"
            f"GSTmp {pdf}/tmp\nLabel 2\nLogType 3\n"
        )

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"cupsd exited with {self.process.returncode}\n{self._startup_output()}")
        if not self.socket.exists():
            return False
        result = subprocess.run(
            ["lpstat", "-r"], capture_output=True, text=True, env=cups_env(str(self.socket)), check=False
        )
        return result.returncode == 0

    def _startup_output(self) -> str:
        out = (self.base_dir / "cupsd.out").read_text(errors="replace")
        log = self.spool_dir / "log" / "error_log"
        errors = log.read_text(errors="replace").splitlines()[-20:] if log.exists() else []
        return f"cupsd output:\n{out}\nerror_log:\n" + "\n".join(errors)

    @staticmethod
    def _system_cups_pdf_settings() -> dict[str, str]:
        settings = {"Out": "${HOME}/PDF", "Spool": "/var/spool/cups-pdf/SPOOL", "Log": "/var/log/cups"}
        with contextlib.suppress(OSError):
            for line in SYSTEM_CUPS_PDF_CONF.read_text().splitlines():
                key, _, value = line.strip().partition(" ")
                if key in settings and value.strip():
                    settings[key] = value.strip()
        return settings

    def _system_output_dir(self) -> Path:
        user = pwd.getpwuid(os.geteuid())
        out = self._system_cups_pdf_settings()["Out"]
        return Path(out.replace("${HOME}", user.pw_dir).replace("${USER}", user.pw_name))

    def _system_cups_pdf_paths(self, queue: str) -> list[Path]:
        """What cups-pdf creates outside our folder when it follows the machine's configuration."""
        settings = self._system_cups_pdf_settings()
        return [
            self._system_output_dir(),
            Path(settings["Spool"]),
            Path(settings["Log"]) / f"cups-pdf-{queue}_log",
        ]


@contextlib.contextmanager
def running_cups_queue(use_namespace: bool | None = None) -> Iterator[CupsQueue]:
    """A private scheduler with a CUPS-PDF queue for the block; stopped and removed afterwards."""
    started = time.perf_counter()
    server = CupsServer(Path(tempfile.mkdtemp(prefix="counter-cups-")))
    queue: CupsQueue | None = None
    try:
        server.start(use_namespace)
        queue = server.add_pdf_queue()
        queue.startup_seconds = time.perf_counter() - started
        yield queue
    finally:
        with contextlib.suppress(TimeoutError):
            if queue is not None:
                queue.wait_until_idle(30)
        server.stop()
        if queue is not None:
            server.remove_system_outputs(queue)
        shutil.rmtree(server.base_dir, ignore_errors=True)
