"""Where the time goes: busy seconds per stage, recorded only while a benchmark asks.

The stages mark themselves with ``with stage("pose"):``. Nothing is recorded (and the
cost is one global read) unless a :class:`StageClock` is active (:func:`recording`).
Time is exclusive: a stage entered inside another (decoding inside the overlay pass) is
taken out of the outer one. Stages running at the same time on several threads each count
their own busy time, so the per-stage figures say how fast each stage is, not how long
the run took.

>>> with recording() as clock:
...     with stage("outer"):
...         with stage("inner"):
...             pass
>>> sorted(clock.seconds)
['inner', 'outer']
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_active: StageClock | None = None


class StageClock:
    """Busy seconds per stage name, summed over threads."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    def _stack(self) -> list[list[float]]:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    @contextmanager
    def measure(self, name: str) -> Iterator[None]:
        stack = self._stack()
        entry = [time.perf_counter(), 0.0]  # start, time spent in nested stages
        stack.append(entry)
        try:
            yield
        finally:
            stack.pop()
            elapsed = time.perf_counter() - entry[0]
            if stack:
                stack[-1][1] += elapsed
            with self._lock:
                self.seconds[name] = self.seconds.get(name, 0.0) + elapsed - entry[1]


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Count the time spent inside as ``name``'s, when a clock is recording."""
    clock = _active
    if clock is None:
        yield
        return
    with clock.measure(name):
        yield


@contextmanager
def recording() -> Iterator[StageClock]:
    """Record stage times process-wide (all threads) while inside."""
    global _active  # noqa: PLW0603 - one clock per process, read by every stage
    previous, _active = _active, StageClock()
    try:
        yield _active
    finally:
        _active = previous
