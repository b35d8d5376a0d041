"""The backups screen's dialogs: the backup passphrase (set, or asked for a restore), the restore's confirmation, and
its notice, which hands the codes left to re-enter over to the application as it starts again."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.widgets.formatting import vn_moment

if TYPE_CHECKING:
    from counter_app.services.maintenance.backup_overview import BackupRow
    from counter_app.services.maintenance.backup_restore import RestoreResult

MISMATCH = "Hai lần nhập mật khẩu sao lưu không giống nhau."
EMPTY = "Hãy nhập mật khẩu sao lưu."

# The codes a restore left to re-enter, handed to the application as it starts again (the restore closes this
# process's services, then RestoreNotice restarts it): the next "Nhập hồ sơ sau" of someone who may do it
# (ui.shell.intake_tab) takes them one by one, pre-filled. The environment is what a restarted process inherits.
PENDING_VARIABLE = "COUNTER_APP_RE_ENTRY"


def hand_over_re_entry(codes: Iterable[str]) -> None:
    """Leave `codes` to the restarted application (and to nothing else: it takes them out of its environment)."""
    os.environ[PENDING_VARIABLE] = ",".join(c.strip() for c in codes if c.strip())


def pending_re_entry() -> list[str]:
    """The codes handed over and not yet taken."""
    return [c for c in os.environ.get(PENDING_VARIABLE, "").split(",") if c]


def take_re_entry() -> str:
    """The next code handed over ("" when none), taken out of the pending ones."""
    codes = pending_re_entry()
    if len(codes) > 1:
        os.environ[PENDING_VARIABLE] = ",".join(codes[1:])
    else:
        os.environ.pop(PENDING_VARIABLE, None)
    return codes[0] if codes else ""


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def _buttons(ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
    return buttons


class PassphraseDialog(QDialog):
    """A new backup passphrase typed twice; the service checks its length (its message is shown here)."""

    sig_confirmed = Signal()
    """Typed twice alike: the panel sets it in a worker, then accepts the dialog or shows why not."""

    def __init__(self, *, replacing: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Đổi mật khẩu sao lưu" if replacing else "Đặt mật khẩu sao lưu")
        intro = QLabel(
            "Mọi bản sao lưu từ nay, kể cả bản sao lưu tự động, được mã hóa để phục hồi được trên máy bất kỳ bằng "
            "mật khẩu này, không cần kho khóa của hệ thống. Hãy ghi lại và cất giữ mật khẩu ở nơi an toàn: "
            "mất mật khẩu thì không phục hồi được các bản sao lưu."
            + (" Các bản sao lưu đã có vẫn cần mật khẩu cũ." if replacing else "")
        )
        intro.setWordWrap(True)
        self.first = _password_field()
        self.second = _password_field()
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = _buttons("Lưu mật khẩu")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Mật khẩu sao lưu", self.first)
        form.addRow("Nhập lại mật khẩu", self.second)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def passphrase(self) -> str:
        return self.first.text()

    def forget(self) -> None:
        """Done with: the passphrase leaves the fields, the dialog goes."""
        self.first.clear()
        self.second.clear()
        self.deleteLater()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.setEnabled(True)

    def _check(self) -> None:
        if not self.first.text():
            self.show_message(EMPTY)
        elif self.first.text() != self.second.text():
            self.show_message(MISMATCH)
            self.second.clear()
            self.second.setFocus()
        else:
            self.setEnabled(False)  # about a second of scrypt in a worker
            emit(self.sig_confirmed)


class RestoreDialog(QDialog):
    """What a restore does, the backup's passphrase when it needs one, and whether to bring events back."""

    sig_confirmed = Signal()
    """The administrator confirmed: the panel restores in a worker, then accepts the dialog or shows why not."""

    def __init__(self, row: BackupRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Phục hồi dữ liệu từ bản sao lưu")
        text = QLabel(
            f"Phục hồi bản sao lưu tạo lúc {vn_moment(row.created)}?\n\n"
            "Cơ sở dữ liệu đang dùng được giữ lại nguyên vẹn bên cạnh (không bị xóa), rồi được thay bằng bản sao "
            "lưu. Số hồ sơ và số phiếu đã cấp sau lần sao lưu không bị cấp lại. Sau khi phục hồi, ứng dụng khởi "
            "động lại và mọi người đăng nhập lại."
        )
        text.setWordWrap(True)
        self.passphrase = _password_field()
        self.passphrase.setParent(self)
        self.bring_back = QCheckBox("Đưa lại vào cơ sở dữ liệu các việc đã ghi sau lần sao lưu (khi nối tiếp được)")
        self.bring_back.setChecked(True)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020;")
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = _buttons("Phục hồi")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        if row.needs_passphrase:
            form = QFormLayout()
            form.addRow("Mật khẩu sao lưu", self.passphrase)
            layout.addLayout(form)
        else:
            self.passphrase.hide()
        layout.addWidget(self.bring_back)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.needs_passphrase = row.needs_passphrase

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.setEnabled(True)

    def forget(self) -> None:
        """Done with: the passphrase leaves the field, the dialog goes."""
        self.passphrase.clear()
        self.deleteLater()

    def _check(self) -> None:
        if self.needs_passphrase and not self.passphrase.text():
            self.show_message(EMPTY)
            return
        self.setEnabled(False)
        emit(self.sig_confirmed)


class RestoreNotice(QMessageBox):
    """What a restore did, and the restart it needs (this process's services are closed by then); with dossiers
    left to re-enter, a second button restarts into "Nhập hồ sơ sau" with their codes pre-filled, one by one."""

    def __init__(self, result: RestoreResult, parent: QWidget | None = None) -> None:
        super().__init__(QMessageBox.Icon.Information, "Đã phục hồi dữ liệu", restore_summary(result), parent=parent)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setStandardButtons(QMessageBox.StandardButton.Ok)
        self.button(QMessageBox.StandardButton.Ok).setText("Khởi động lại")
        self._codes = result.re_entry_codes
        self.re_entry_button: QPushButton | None = None
        if self._codes:
            self.re_entry_button = self.addButton("Khởi động lại và nhập lại hồ sơ", QMessageBox.ButtonRole.AcceptRole)
            self.re_entry_button.setToolTip(
                "Sau khi khởi động lại, cán bộ giám sát đăng nhập: màn hình “Nhập hồ sơ sau” mở sẵn với mã "
                f"{self._codes[0]}; ghi lại hồ sơ theo liên lưu, rồi lần lượt các mã còn lại"
            )
        # connected first: it runs before the panel's restart, which is connected to `finished` afterwards
        self.finished.connect(self._hand_over)

    def _hand_over(self, _code: int) -> None:
        if self.re_entry_button is not None and self.clickedButton() is self.re_entry_button:
            hand_over_re_entry(self._codes)


def restore_summary(result: RestoreResult) -> str:
    """What a restore did, in Vietnamese: numbers, events missing or brought back, papers, the sync hold."""
    lines = [f"Đã phục hồi dữ liệu từ bản sao lưu tạo lúc {_iso_moment(result.backup_created)}."]
    if result.set_aside is not None:
        lines.append(f"Cơ sở dữ liệu cũ được giữ tại “{result.set_aside}”.")
    if result.numbering_note:
        lines.append(result.numbering_note)
    if result.missing_events:
        codes = ", ".join(result.missing_codes) or "không có mã hồ sơ"
        lines.append(
            f"Cơ sở dữ liệu cũ có {result.missing_events} sự kiện ghi sau lần sao lưu mà bản phục hồi không có "
            f"(hồ sơ: {codes})."
        )
        if result.brought_back:
            lines.append(f"Đã đưa lại {result.brought_back} sự kiện vào cơ sở dữ liệu.")
        if result.re_entry_codes:
            lines.append(f"Cần cán bộ giám sát nhập lại các hồ sơ: {', '.join(result.re_entry_codes)}.")
    if result.attachments.restored:
        lines.append(f"Đã phục hồi {result.attachments.restored} tệp giấy tờ đã quét.")
    if result.audit_key_note:  # the audit key carried by the backup: put back, already here, or why not
        lines.append(result.audit_key_note)
    if result.on_hold:
        lines.append(
            "Quầy đồng bộ với máy chủ trung tâm: chưa ghi được gì cho đến lần đồng bộ tới (nút “Đồng bộ ngay”); "
            "lần đồng bộ đó lấy lại những gì quầy đã ghi sau khi sao lưu, để không cấp trùng số."
        )
    lines.append("Ứng dụng sẽ khởi động lại để làm việc trên dữ liệu đã phục hồi.")
    return "\n".join(lines)


def _iso_moment(text: str) -> str:
    from datetime import datetime

    try:
        return vn_moment(datetime.fromisoformat(text))
    except ValueError:
        return text
