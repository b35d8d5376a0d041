"""The administrator's tools on the central database, as the command line calls them: signing in, creating or
upgrading its schema, registering agencies and counter numbers (their credentials are central.credentials),
publishing the catalogue and the calendar.

The work itself is the counter's side of sync (sync.central_admin, sync.catalogue_sync), which knows the schema;
this module is the command line's one door to it, so that `cli` never imports `sync`.
"""

from __future__ import annotations

from counter_app.sync.catalogue_sync import PublishResult, publish_calendar, publish_catalogue
from counter_app.sync.central_admin import CounterRegistration, InitResult, add_agency, add_counter, init_central
from counter_app.sync.central_url import CentralUrl, PasswordPrompt, parse_central_url, resolve_password

__all__ = [
    "CentralUrl",
    "CounterRegistration",
    "InitResult",
    "PublishResult",
    "add_agency",
    "add_counter",
    "central_login",
    "init_central",
    "publish_calendar",
    "publish_catalogue",
]


def central_login(url_text: str, ask_password: PasswordPrompt | None) -> tuple[CentralUrl, str]:
    """The central database's address (checked) and its administrator's password: in the URL, in the system's
    keyring, else asked at `ask_password` (given only when a person can type)."""
    url = parse_central_url(url_text)
    return url, resolve_password(url, ask_password)
