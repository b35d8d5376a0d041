"""This counter's profile for the window: its settings read and saved, the first run, the status bar's facts and
the printer remembered per kind of document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from counter_app.domain.clock import to_vn
from counter_app.domain.roles import Permission
from counter_app.errors import ValidationError
from counter_app.services.accounts.clerk_accounts import AccountService
from counter_app.services.common.changes import Changes
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.settings import Settings, parse_setting
from counter_app.services.installation.setup import DEMO_AGENCY_CODE, SetupService
from counter_app.sync.credential_format import looks_like_credential


class CredentialKeeper(Protocol):
    """Where the counter's sync credential is kept (services.syncing's SyncCredentialStore, given by the registry:
    installation sits below syncing and may not import it)."""

    def save(self, agency_code: str, counter: int, credential: str) -> str: ...

    def load(self, agency_code: str, counter: int) -> str | None: ...


# which remembered printer a document kind goes to (receipts on the counter's printer, letters on the office one)
PRINTER_SETTING = {
    "receipt": "printer_receipt",
    "control": "printer_receipt",
    "fee": "printer_receipt",
    "supplement": "printer_slip",
    "refusal": "printer_slip",
    "withdrawal": "printer_slip",
    "apology": "printer_letter",
}


@dataclass(frozen=True)
class SettingsSnapshot:
    """The settings and the agency's fixed part, as the settings dialog shows them."""

    settings: Settings
    agency_name: str
    counter_digits: int
    number_digits: int
    credential_kept: bool = False
    """Whether this counter keeps a sync credential (the credential itself never leaves the store)."""


@dataclass(frozen=True)
class FirstRunAnswers:
    agency_code: str
    agency_name: str
    counter: int
    counter_digits: int
    number_digits: int
    parent_authority: str = ""
    settings: tuple[tuple[str, str], ...] = ()
    """Further settings (key, text) saved with set_setting after the counter is set up."""
    credential: str = ""
    """The sync credential the administrator issued for this counter (`central add-counter`), or empty."""


@dataclass(frozen=True)
class ClerkOfTheDay:
    """On an installation without accounts: whether the window asks the clerk's name today, and the name it offers."""

    ask: bool
    """No account exists and nobody has confirmed a name on this working day (Vietnam's date) yet."""
    name: str
    """The name last confirmed (yesterday's clerk), offered as the answer."""
    day: date
    """Today, by the services' clock (Vietnam's date, the drill clock in a drill)."""


@dataclass(frozen=True)
class StatusInfo:
    """What the window's status bar and rail show about this installation."""

    configured: bool
    counter: int
    agency_name: str
    clerk: str
    database: str
    agency_code: str = ""
    may_settings: bool = True
    demo: bool = False


class CounterProfileService:
    def __init__(
        self,
        context: ServiceContext,
        setup: SetupService,
        accounts: AccountService,
        credentials: CredentialKeeper | None = None,
    ) -> None:
        self.context = context
        self.setup = setup
        self.accounts = accounts
        self.credentials = credentials

    def current(self) -> Settings:
        """The installation's settings (cached; read again after a change)."""
        return self.context.settings()

    @property
    def database_name(self) -> str:
        """The local database file's name, as the status bar shows it."""
        return self.context.database.path.name

    def get_snapshot(self) -> SettingsSnapshot:
        settings = self.context.settings()
        with self.context.uow() as uow:
            agency = uow.agencies.get(settings.agency_code) if settings.agency_code else None
        return SettingsSnapshot(
            settings,
            agency.name if agency is not None else "",
            agency.counter_digits if agency is not None else 0,
            agency.number_digits if agency is not None else 0,
            self.credentials is not None
            and settings.is_configured
            and self.credentials.load(settings.agency_code, settings.counter) is not None,
        )

    def save(self, changes: dict[str, str], credential: str = "") -> Settings:
        """Each changed setting (all checked before any is saved), then a new sync credential (from the central's
        `add-counter`) into the credential store."""
        self.context.require(Permission.SETTINGS)
        for key, value in changes.items():
            parse_setting(key, value)
        credential = self._checked_credential(credential, configured=self.context.settings().is_configured)
        for key, value in changes.items():
            self.setup.set_setting(key, value)
        if credential and self.credentials is not None:
            settings = self.context.settings()
            self.credentials.save(settings.agency_code, settings.counter, credential)
        return self.context.settings()

    def _checked_credential(self, credential: str, *, configured: bool) -> str:
        credential = credential.strip()
        if credential and not looks_like_credential(credential):
            raise ValidationError(
                "sync_credential",
                "Thông tin xác thực đồng bộ không đúng dạng: cần chép nguyên dòng bắt đầu bằng “cc1.”.",
            )
        if credential and (self.credentials is None or not configured):
            raise ValidationError("sync_credential", "Quầy chưa được thiết lập cơ quan và số quầy.")
        return credential

    def apply_first_run(self, answers: FirstRunAnswers) -> Settings:
        """The agency and counter, then each further setting, then the sync credential."""
        for key, value in answers.settings:
            parse_setting(key, value)
        self._checked_credential(answers.credential, configured=True)
        settings = self.setup.init_local(
            agency_code=answers.agency_code,
            agency_name=answers.agency_name,
            counter=answers.counter,
            counter_digits=answers.counter_digits,
            number_digits=answers.number_digits,
            parent_authority=answers.parent_authority,
        )
        for key, value in answers.settings:
            self.setup.set_setting(key, value)
        if answers.credential.strip() and self.credentials is not None:
            self.credentials.save(answers.agency_code, answers.counter, answers.credential.strip())
        return self.context.settings() if answers.settings else settings

    def get_status(self) -> StatusInfo:
        settings = self.context.settings()
        session = self.accounts.current()
        return StatusInfo(
            configured=settings.is_configured,
            counter=settings.counter,
            agency_name=self.setup.agency_name(),
            clerk=session.display if session is not None else settings.clerk_name or self.context.clerk,
            database=self.database_name,
            agency_code=settings.agency_code,
            may_settings=self.context.may(Permission.SETTINGS),
            demo=settings.agency_code == DEMO_AGENCY_CODE,
        )

    def get_clerk_of_the_day(self) -> ClerkOfTheDay:
        """Whether to ask "who is at the counter today" (never with accounts: the signed-in person acts)."""
        settings = self.context.settings()
        today = to_vn(self.context.clock.now()).date()
        confirmed = bool(settings.clerk_name.strip()) and settings.clerk_name_day == today.isoformat()
        ask = not self.accounts.accounts_exist() and not confirmed
        return ClerkOfTheDay(ask=ask, name=settings.clerk_name, day=today)

    def confirm_clerk_of_the_day(self, name: str) -> Changes:
        """The clerk at the counter today gave their full name: it names events and forms from the next action on."""
        cleaned = " ".join(name.split())
        if not cleaned:
            raise ValidationError("clerk_name", "Cần nhập họ và tên cán bộ tiếp nhận.")
        if self.accounts.accounts_exist():
            raise ValidationError("clerk_name", "Quầy dùng tài khoản: người đăng nhập là người tiếp nhận.")
        today = to_vn(self.context.clock.now()).date()
        self.setup.set_setting("clerk_name", cleaned)
        self.setup.set_setting("clerk_name_day", today.isoformat())
        return Changes(settings=True)

    def printer_for(self, kind: str) -> str:
        """The printer remembered for this kind of document ("" when none)."""
        return str(getattr(self.context.settings(), PRINTER_SETTING.get(kind, "printer_receipt"), "") or "")

    def remember_printer(self, kind: str, printer_name: str) -> Changes:
        """Remember the printer a document of this kind was printed on, when it is another one."""
        key = PRINTER_SETTING.get(kind, "printer_receipt")
        if getattr(self.context.settings(), key, "") == printer_name:
            return Changes()
        self.setup.set_setting(key, printer_name)
        return Changes(settings=True)
