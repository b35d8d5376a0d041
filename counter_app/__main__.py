"""python -m counter_app / counter-app: the window without a subcommand, the command line with one."""

from __future__ import annotations

import sys

# Options that start the window: its whole command line is made of these, so the command line's parser (which
# imports every subcommand, ~0.2 s) is not needed before the window is shown.
_WINDOW_VALUE_OPTIONS = ("--db", "--now", "--user")
_WINDOW_FLAGS = ("--demo", "--json", "--password-stdin")


def _window_args(arguments: list[str]) -> dict[str, object] | None:
    """The window's options when `arguments` hold nothing else (no subcommand, no --help); else None."""
    values: dict[str, object] = {"db": None, "now": None, "user": None}
    flags = dict.fromkeys(_WINDOW_FLAGS, False)
    rest = iter(arguments)
    for arg in rest:
        name, eq, value = arg.partition("=")
        if name in _WINDOW_VALUE_OPTIONS:
            if not eq:
                value = next(rest, "")
            if not value or value.startswith("-"):
                return None  # let the full parser say what is wrong
            values[name[2:]] = value
        elif arg in flags:
            flags[arg] = True
        else:
            return None
    values.update({flag[2:].replace("-", "_"): on for flag, on in flags.items()})
    return {**values, "command": None}


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if "--self-test" in arguments:  # a top-level flag of the installers' smoke test, before any subcommand
        from counter_app.self_test import run_self_test

        return run_self_test()
    if arguments[:1] == ["--print-job"]:  # internal: the window prints from a child process (ui.document_printing)
        from counter_app.ui.documents.document_printing import print_job_main

        return print_job_main(arguments[1:])
    window = _window_args(arguments)
    if window is not None:
        import argparse

        from counter_app.app import run_app

        return run_app(argparse.Namespace(**window))
    from counter_app.cli import execute, parse_args

    args = parse_args(arguments)
    if args.command is None:
        from counter_app.app import run_app

        return run_app(args)
    return execute(args)


if __name__ == "__main__":
    sys.exit(main())
