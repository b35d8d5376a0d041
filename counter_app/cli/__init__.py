"""The command line (no Qt): `parse_args` and `execute`; importing the command modules registers them."""

from counter_app.cli import document_commands, dossier_commands, setup_commands  # noqa: F401  (registration)
from counter_app.cli.parser import build_parser, parse_args
from counter_app.cli.runner import execute

__all__ = ["build_parser", "execute", "parse_args"]
