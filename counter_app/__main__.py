"""python -m counter_app / counter-app: the window without a subcommand, the command line with one."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from counter_app.cli import execute, parse_args

    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        from counter_app.app import run_app

        return run_app(args)
    return execute(args)


if __name__ == "__main__":
    sys.exit(main())
