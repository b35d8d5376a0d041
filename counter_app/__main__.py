"""python -m counter_app / counter-app: the window without a subcommand, the command line with one."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if "--self-test" in arguments:  # a top-level flag of the installers' smoke test, before any subcommand
        from counter_app.self_test import run_self_test

        return run_self_test()
    from counter_app.cli import execute, parse_args

    args = parse_args(arguments)
    if args.command is None:
        from counter_app.app import run_app

        return run_app(args)
    return execute(args)


if __name__ == "__main__":
    sys.exit(main())
