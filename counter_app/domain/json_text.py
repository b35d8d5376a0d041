"""JSON text given by a person (catalogue and calendar files): malformed or hostile text is one error with a reason."""

from __future__ import annotations

import json
from typing import Any


class InvalidJson(ValueError):
    """`reason` is Vietnamese, to follow "Tệp <name> …"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_json(text: str) -> Any:
    """`json.loads`, with every way it fails on hostile text turned into InvalidJson."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidJson(f"không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}).") from None
    except RecursionError:  # brackets nested thousands deep
        raise InvalidJson("có dữ liệu lồng nhau quá sâu: không phải tệp JSON hợp lệ.") from None
    except ValueError:  # an integer of thousands of digits (Python's limit on converting it)
        raise InvalidJson("chứa một số quá dài: không phải tệp JSON hợp lệ.") from None
