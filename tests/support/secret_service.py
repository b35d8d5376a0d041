"""A private D-Bus session bus with gnome-keyring's Secret Service, its login collection unlocked."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import secretstorage
from jeepney import DBusAddress, MessageType, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from support import wait_until

SECRETS_BUS_NAME = "org.freedesktop.secrets"
LOGIN_COLLECTION = "/org/freedesktop/secrets/collection/login"
KEYRING_BACKEND = "keyring.backends.SecretService.Keyring"

# A bus of our own, with no service activation: a client calling before our daemon is up must not make the
# bus start another gnome-keyring with the machine's HOME.
_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SecretService:
    """dbus-daemon and gnome-keyring-daemon, with HOME, keyrings and sockets in one temporary folder."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.bus_socket = base_dir / "bus"
        self.home = base_dir / "home"
        self.runtime_dir = base_dir / "run"
        self.password = secrets.token_urlsafe(16)  # of the login keyring
        self.address = f"unix:path={self.bus_socket}"
        self.startup_seconds = 0.0
        self._bus: subprocess.Popen[bytes] | None = None
        self._keyring: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that make a client (keyring, secretstorage, secret-tool) use this service."""
        return {"DBUS_SESSION_BUS_ADDRESS": self.address, "PYTHON_KEYRING_BACKEND": KEYRING_BACKEND}

    def start(self) -> None:
        started = time.perf_counter()
        for tool in ("dbus-daemon", "gnome-keyring-daemon"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} not found: install dbus and gnome-keyring (make deps)")
        self.home.mkdir()
        self.runtime_dir.mkdir(mode=0o700)
        config = self.base_dir / "bus.conf"
        config.write_text(_BUS_CONFIG.format(socket=self.bus_socket))
        self._bus = self._spawn(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile", "--nosyslog"], "dbus.log"
        )
        wait_until(self._bus_up, 10, "dbus-daemon did not open its socket")
        daemon_env = {
            **os.environ,
            "DBUS_SESSION_BUS_ADDRESS": self.address,
            "HOME": str(self.home),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_RUNTIME_DIR": str(self.runtime_dir),
        }
        for name in ("DISPLAY", "WAYLAND_DISPLAY"):  # never pop a password prompt on a developer's screen
            daemon_env.pop(name, None)
        # --unlock reads the password on stdin and creates the login keyring with it when there is none.
        self._keyring = self._spawn(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            "gnome-keyring.log",
            env=daemon_env,
            stdin=subprocess.PIPE,
        )
        assert self._keyring.stdin is not None
        self._keyring.stdin.write(self.password.encode())
        self._keyring.stdin.close()
        problem: str | None = "not asked yet"

        def login_ready() -> bool:
            nonlocal problem
            problem = self._login_problem()
            return problem is None

        try:
            wait_until(login_ready, 15, "gnome-keyring's login collection is not ready")
        except TimeoutError as error:
            raise RuntimeError(f"{error}: {problem}\n{self.log_tail()}") from None
        self.startup_seconds = time.perf_counter() - started

    def stop(self) -> None:
        for process in (self._keyring, self._bus):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self._keyring = self._bus = None

    def log_tail(self) -> str:
        parts = []
        for name in ("dbus.log", "gnome-keyring.log"):
            with contextlib.suppress(OSError):
                parts.append(f"--- {name} ---\n" + (self.base_dir / name).read_text(errors="replace")[-2000:])
        return "\n".join(parts)

    # -- internals ---------------------------------------------------------------------------------------

    def _spawn(
        self, args: list[str], log_name: str, env: dict[str, str] | None = None, stdin: int | None = None
    ) -> subprocess.Popen[bytes]:
        with (self.base_dir / log_name).open("wb") as log:
            return subprocess.Popen(args, stdin=stdin, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.base_dir)

    def _check_alive(self) -> None:
        for name, process in (("dbus-daemon", self._bus), ("gnome-keyring-daemon", self._keyring)):
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}\n{self.log_tail()}")

    def _bus_up(self) -> bool:
        self._check_alive()
        return self.bus_socket.exists()

    def _login_problem(self) -> str | None:
        """Why the login collection is not usable yet, or None when it is there, unlocked and the default."""
        self._check_alive()
        connection = open_dbus_connection(self.address)
        try:
            if not secretstorage.check_service_availability(connection):
                return f"{SECRETS_BUS_NAME} is not on the bus"
            if not secretstorage.Collection(connection, LOGIN_COLLECTION).collection_path:
                return "no login collection"
            if secretstorage.Collection(connection, LOGIN_COLLECTION).is_locked():
                return "the login collection is locked"
            # keyring stores in the collection aliased "default"; secretstorage would create a missing one,
            # which needs a prompt (a screen): point the alias at the login collection instead.
            if self._call(connection, "ReadAlias", "s", "default") != LOGIN_COLLECTION:
                self._call(connection, "SetAlias", "so", "default", LOGIN_COLLECTION)
                return "the default alias did not point at the login collection"
            return None
        except secretstorage.exceptions.SecretStorageException as error:
            return f"{type(error).__name__}: {error}"  # the daemon has not loaded the login keyring yet
        finally:
            connection.close()

    @staticmethod
    def _call(connection: DBusConnection, method: str, signature: str, *args: str) -> object:
        service = DBusAddress("/org/freedesktop/secrets", SECRETS_BUS_NAME, "org.freedesktop.Secret.Service")
        reply = connection.send_and_get_reply(new_method_call(service, method, signature, args))
        if reply.header.message_type is MessageType.error:
            raise secretstorage.exceptions.SecretServiceNotAvailableException(f"{method}: {reply.body}")
        return reply.body[0] if reply.body else None


@contextlib.contextmanager
def running_secret_service() -> Iterator[SecretService]:
    """A running Secret Service for the block; stopped and its folder removed afterwards."""
    service = SecretService(Path(tempfile.mkdtemp(prefix="counter-secrets-")))
    try:
        service.start()
        yield service
    finally:
        service.stop()
        shutil.rmtree(service.base_dir, ignore_errors=True)
