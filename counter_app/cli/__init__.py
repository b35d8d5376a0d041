"""The command line (no Qt): `parse_args` and `execute`; importing the command modules registers them."""

from counter_app.cli import (  # noqa: F401  (registration)
    account_commands,
    attachment_commands,
    catalogue_commands,
    central_commands,
    document_commands,
    dossier_commands,
    maintenance_commands,
    report_commands,
    setup_commands,
    sync_commands,
)
from counter_app.cli.parser import build_parser, parse_args
from counter_app.cli.runner import execute

__all__ = ["build_parser", "execute", "parse_args"]
