"""Admission control: a bounded number of queries at once and a bounded queue before them.

A request past both bounds is told 503 with Retry-After at once, instead of piling up
threads; a slot is held only while the query runs (never while a slow client sends its
body or reads its answer), so stalled clients cannot hold query workers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus

from govkg.web.messages import HttpError

MAX_RUNNING = 4
"""Queries evaluated at once (the machine's cores; the query workers are CPU-bound)."""
MAX_WAITING = 32
"""Queries queued behind those; one more is a 503."""
QUEUE_WAIT = 10.0
"""Seconds a queued query waits for a slot before it is a 503."""
RETRY_AFTER = "5"


class Admission:
    """Counting semaphore plus a waiting-room bound; thread-safe."""

    def __init__(
        self,
        running: int = MAX_RUNNING,
        waiting: int = MAX_WAITING,
        wait: float = QUEUE_WAIT,
    ) -> None:
        self.limit = running
        self.queue_limit = waiting
        self.wait = wait
        self._slots = threading.BoundedSemaphore(running)
        self._lock = threading.Lock()
        self.waiting = 0
        self.running = 0

    def _busy(self, why: str) -> HttpError:
        return HttpError(
            HTTPStatus.SERVICE_UNAVAILABLE,
            f"server busy ({why}); try again later",
            {"Retry-After": RETRY_AFTER},
        )

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one query slot for the block; 503 when the queue is full or the wait too long."""
        if not self._slots.acquire(blocking=False):
            with self._lock:
                if self.waiting >= self.queue_limit:
                    raise self._busy(f"{self.running} queries running, {self.waiting} queued")
                self.waiting += 1
            try:
                got = self._slots.acquire(timeout=self.wait)
            finally:
                with self._lock:
                    self.waiting -= 1
            if not got:
                raise self._busy(f"no query slot free within {self.wait:g} s")
        with self._lock:
            self.running += 1
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1
            self._slots.release()
