"""CounterError and its kinds, shared by every layer; each maps to one exit code of the command line."""

from __future__ import annotations


class CounterError(Exception):
    """Base of every error the application reports to a person.

    `message` is Vietnamese, short, for the clerk; `detail` is technical, for the expandable part and the log
    (it must not hold personal data).
    """

    exit_code = 1

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class ValidationError(CounterError):
    """Bad input typed by a person; `field` names where it was typed so the message can stand next to it."""

    exit_code = 2

    def __init__(self, field: str, message: str, *, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.field = field


class RuleError(CounterError):
    """A legal or product rule refuses the action (illegal transition, second re-appointment, ...)."""

    exit_code = 2


class NotFoundError(CounterError):
    """The dossier, slip or procedure asked for does not exist."""

    exit_code = 2


class PermissionDenied(CounterError):
    """The user's role may not do this."""

    exit_code = 2


class CentralUnreachable(CounterError):
    """The central database could not be reached; nothing is lost, the work is retried later."""

    exit_code = 3


class IntegrityProblem(CounterError):
    """Stored data failed a check (database corruption, broken audit chain, altered attachment)."""

    exit_code = 4


class StorageFailure(CounterError):
    """The database could not be read or written (damaged, locked, not an application database); the storage layer
    raises it in place of the driver's error where a service goes on without the data."""

    exit_code = 4


class FormInvalid(CounterError):
    """Several fields of one form are wrong: `errors` maps each field to its Vietnamese message."""

    exit_code = 2

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors.values()), "Dữ liệu không hợp lệ.")
        super().__init__(first if len(errors) == 1 else f"{first} (và {len(errors) - 1} lỗi khác)")
        self.errors = errors
