"""The frozen program's entry point: the same `main` as `python -m counter_app` and the `counter-app` script."""

import sys

from counter_app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
