"""SessionGuard: the login at start when accounts exist, the lock after inactivity, and who the window works for.

Without any account the window opens as before (everything allowed, events record the settings' clerk name), and
on the first start of a working day (Vietnam's date, by the services' clock) the rail asks the name of today's
clerk without taking the focus (ui.shell.clerk_name_prompt); the answer names events and forms at once.
With accounts, nothing of the database is shown before a login succeeds; after `lock_minutes` without a key
press or a click the window hides its contents and asks for a password again. What a role may not do is
disabled in the screens, and the services refuse it anyway.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.login_dialog import LoginDialog
from counter_app.ui.shell.password_dialog import PasswordDialog

if TYPE_CHECKING:
    from counter_app.services.accounts.clerk_accounts import SessionState, SessionView
    from counter_app.services.common.changes import Changes
    from counter_app.services.installation.counter_profile import ClerkOfTheDay
    from counter_app.services.registry import Services
    from counter_app.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)

CLERK_CHECK_MS = 5 * 60_000  # a window left open overnight asks again soon after midnight

_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


@dataclass(frozen=True)
class _Start:
    state: SessionState
    lock_minutes: int


def _read_start(services: Services) -> _Start:
    """Runs in a worker: whether anyone must sign in, and the lock delay."""
    return _Start(services.accounts.session_state(), services.settings.current().lock_minutes)


def log_failure(exc: object) -> None:
    """A background check that failed: logged (no personal data), the clerk is not interrupted."""
    log.warning("clerk-of-the-day check failed: %s", type(exc).__name__)


class SessionGuard(QObject):
    sig_signed_in = Signal(object)
    """Someone signed in (at start or to unlock): the SessionView."""
    sig_locked = Signal()
    """The session locked itself after inactivity."""

    def __init__(self, window: MainWindow, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent or window)
        self._window = window
        self._runner = runner
        self.services: Services | None = None
        self.dialog: LoginDialog | None = None
        self.password_dialog: PasswordDialog | None = None
        self._temporary = ""  # the reset password just typed, until the person replaces it
        self.lock_minutes = 10
        self._accounts = False
        self._opened = False
        self._idle = QTimer(self, singleShot=True)
        self._idle.timeout.connect(self.lock)
        self._clerk_timer = QTimer(self)
        self._clerk_timer.setInterval(CLERK_CHECK_MS)
        self._clerk_timer.timeout.connect(self.check_clerk_of_the_day)
        window.rail.clerk_prompt.sig_confirmed.connect(self._confirm_clerk)
        window.places.add_opener("password", self.change_password)

    # start
    def start(self, services: Services) -> None:
        """The services are ready (on the UI thread): sign in first if this installation has accounts."""
        self.services = services
        self._runner.run_pooled(_read_start, services, on_done=self._on_start, on_error=self._window.on_services_failed)

    def _on_start(self, start: _Start) -> None:
        self.lock_minutes = start.lock_minutes
        self._accounts = bool(start.state.accounts_exist)
        if not self._accounts:
            self._open_window()
            self.check_clerk_of_the_day()
            self._clerk_timer.start()
            return
        self._ask(locked_name="")

    def _open_window(self) -> None:
        if not self._opened and self.services is not None:
            self._opened = True
            self._window.set_services(self.services)
        else:
            self._window.apply_session()
        self._window.set_locked(False)
        if self.services is not None:
            accounts = self.services.accounts
            self._window.places.follow_role(accounts.allows, accounts.current() is not None)
        if self._accounts:
            self._clerk_timer.stop()
            self._window.rail.clerk_prompt.answered()  # the signed-in person acts, nobody is asked
            app = QApplication.instance()
            if app is not None:
                app.installEventFilter(self)
            self._idle.start(self.lock_minutes * 60_000)

    # the clerk of the day (without accounts)
    def check_clerk_of_the_day(self) -> None:
        """Ask today's clerk's name on the rail when nobody has confirmed one on this working day."""
        if self.services is None or self._accounts:
            return
        self._runner.run_pooled(
            self.services.settings.get_clerk_of_the_day, on_done=self._show_clerk_question, on_error=log_failure
        )

    def _show_clerk_question(self, clerk: ClerkOfTheDay) -> None:
        prompt = self._window.rail.clerk_prompt
        if clerk.ask and not self._accounts:
            prompt.ask(clerk.name)
        else:
            prompt.answered()

    def _confirm_clerk(self, name: str) -> None:
        if self.services is None:
            return
        prompt = self._window.rail.clerk_prompt
        self._runner.run_serial(
            self.services.settings.confirm_clerk_of_the_day,
            name,
            on_done=self._clerk_confirmed,
            on_error=lambda exc: prompt.show_message(getattr(exc, "message", "") or "Không lưu được họ tên."),
        )

    def _clerk_confirmed(self, changes: Changes) -> None:
        self._window.rail.clerk_prompt.answered()
        self._window.apply_session()  # the rail's "Cán bộ:" line
        self._window.announce(changes)

    # signing in
    def _ask(self, *, locked_name: str) -> None:
        self._window.set_locked(True)
        dialog = LoginDialog(locked_name=locked_name, lock_minutes=self.lock_minutes, parent=self._window)
        dialog.sig_submitted.connect(self._submit)
        dialog.sig_quit.connect(self._window.close)
        self.dialog = dialog
        dialog.open()

    def _submit(self, name: str, password: str) -> None:
        assert self.services is not None  # a login dialog is shown only once the services exist
        self._temporary = password
        self._runner.run_serial(
            self.services.accounts.sign_in, name, password, on_done=self._signed_in, on_error=self._refused
        )

    def _signed_in(self, session: SessionView) -> None:
        log.info("signed in with role %s", session.role.value)
        if self.dialog is not None:
            self.dialog.done(1)
            self.dialog.deleteLater()
            self.dialog = None
        if session.must_change_password:
            self._ask_new_password(session.name, forced=True)
            return
        self._temporary = ""
        self._open_window()
        emit(self.sig_signed_in, session)

    # passwords
    def change_password(self) -> PasswordDialog | None:
        """The signed-in person changes their own password (the rail's "Đổi mật khẩu")."""
        current = self.services.accounts.current() if self.services is not None else None
        return None if current is None else self._ask_new_password(current.name, forced=False)

    def _ask_new_password(self, name: str, *, forced: bool) -> PasswordDialog:
        dialog = PasswordDialog(name, forced=forced, parent=self._window)
        dialog.sig_submitted.connect(self._submit_password)
        dialog.sig_quit.connect(self._window.close)
        self.password_dialog = dialog
        dialog.open()
        return dialog

    def _submit_password(self, current: str, new: str) -> None:
        dialog = self.password_dialog
        if self.services is None or dialog is None:
            return
        self._runner.run_serial(
            self.services.accounts.change_own_password,
            self._temporary if dialog.forced else current,
            new,
            on_done=self._password_changed,
            on_error=lambda exc: dialog.show_message(getattr(exc, "message", "") or "Không đổi được mật khẩu."),
        )

    def _password_changed(self, session: SessionView) -> None:
        dialog, self.password_dialog = self.password_dialog, None
        self._temporary = ""
        if dialog is not None:
            dialog.done(1)
            dialog.deleteLater()
        self._window.show_message("Đã đổi mật khẩu.", 10_000)
        if dialog is not None and dialog.forced:
            self._open_window()
            emit(self.sig_signed_in, session)

    def _refused(self, exc: object) -> None:
        self._temporary = ""
        message = getattr(exc, "message", None) or "Không đăng nhập được; chi tiết đã được ghi vào nhật ký."
        if not hasattr(exc, "message"):
            log.error("sign-in failed: %s", type(exc).__name__)
        if self.dialog is not None:
            self.dialog.show_message(str(message))

    # locking
    @property
    def locked(self) -> bool:
        return self.dialog is not None

    def lock(self) -> None:
        """Hide the window's contents and ask for a password again (the same account, or another one)."""
        if not self._accounts or self.dialog is not None:
            return
        current = self.services.accounts.current() if self.services is not None else None
        log.info("session locked after inactivity")
        if self.services is not None:
            # the secret vault's key is forgotten behind any write already queued (it finishes with the key)
            self._runner.run_serial(self.services.accounts.lock)
        self._ask(locked_name=current.name if current is not None else "")
        emit(self.sig_locked)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in _ACTIVITY and self.dialog is None and self._idle.isActive():
            self._idle.start()  # restart the countdown on every key press or click
        return False
