"""Waiting as the sync service says: busy (503 with Retry-After) and throttled (429 with Retry-After).

A busy service (a storm after an outage) is asked again after a jittered, growing delay. A throttled address (too
many failed credentials from it within the service's window: another machine behind the ward's NAT, or a
credential this copy has not yet seen good) is asked again after the Retry-After, capped, a bounded number of
times; the wait ends at once when the sync is cancelled. What is still throttled after that is a CentralUnreachable
with a Vietnamese message: the sync stops, everything stays on the counter for the next one.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx

from counter_app.errors import CentralUnreachable

BUSY_RETRIES = 8  # answers "busy, come back" (503 with Retry-After) taken before giving up for this sync
THROTTLE_RETRIES = 3  # answers "too many failures from your address" (429) waited out before giving up
THROTTLE_WAIT_CAP_S = 30.0  # the longest wait for one 429, whatever its Retry-After says
THROTTLED = (
    "Dịch vụ đồng bộ tạm thời không nhận yêu cầu từ địa chỉ mạng của quầy (quá nhiều lần xác thực sai từ địa chỉ "
    "này); quầy đã chờ và thử lại nhưng chưa được. Dữ liệu vẫn được giữ nguyên trên máy; xin đồng bộ lại sau ít phút."
)
CANCELLED_WHILE_THROTTLED = "Đã dừng đồng bộ theo yêu cầu; phần còn lại sẽ được đồng bộ lần sau."


def retry_after(value: str, cap: float) -> float:
    """Seconds to wait for a Retry-After (seconds or an HTTP date), between 0 and `cap`."""
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
            seconds = (when - datetime.now(when.tzinfo)).total_seconds()
        except (TypeError, ValueError):
            seconds = cap
    return max(0.0, min(cap, seconds))


@dataclass
class ServiceWaits:
    """How one client waits for the service; `cancel` (the sync's) ends a throttled wait."""

    throttle_retries: int = THROTTLE_RETRIES
    throttle_wait_cap: float = THROTTLE_WAIT_CAP_S
    cancel: threading.Event | None = None
    throttled: int = 0  # 429 answers waited out by this client

    def answer(self, send: Callable[[], httpx.Response]) -> httpx.Response:
        """`send()`'s answer, sent again while the service says to come back (within the bounds above)."""
        answer = send()
        busy = throttled = 0
        while "Retry-After" in answer.headers:
            if answer.status_code == 503 and busy < BUSY_RETRIES:
                delay = min(30.0, float(answer.headers["Retry-After"]) * (1.5**busy))
                time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not a secret
                busy += 1
            elif answer.status_code == 429 and throttled < self.throttle_retries:
                if self._cancelled_during(retry_after(answer.headers["Retry-After"], self.throttle_wait_cap)):
                    break
                throttled += 1
                self.throttled += 1
            else:
                break
            answer = send()
        return answer

    def _cancelled_during(self, seconds: float) -> bool:
        if self.cancel is None:
            time.sleep(seconds)
            return False
        return self.cancel.wait(seconds)

    def refusal(self, answer: httpx.Response) -> CentralUnreachable | None:
        """The error for an answer still throttled after the waits (None for any other answer)."""
        if answer.status_code != 429:
            return None
        cancelled = self.cancel is not None and self.cancel.is_set()
        return CentralUnreachable(
            CANCELLED_WHILE_THROTTLED if cancelled else THROTTLED, detail=f"HTTP 429 after {self.throttled} waits"
        )
