"""Timing, SQL query counting and memory sampling for the bench."""

import gc
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 15 runs is the 15th value; of 3 runs, the 3rd)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.4999)))
    return ordered[rank - 1]


@dataclass
class Timings:
    """Seconds per run."""

    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def p95(self) -> float:
        return percentile(self.runs, 0.95)


class QueryLog:
    """Counts (and optionally keeps) the SQL statements an engine runs, via a cursor event."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.count = 0
        self.keep = False
        self.statements: list[tuple[str, object, bool]] = []
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, _conn, _cursor, statement, parameters, _context, executemany):
        self.count += 1
        if self.keep:
            self.statements.append((statement, parameters, executemany))

    @contextmanager
    def capture(self, keep: bool = False) -> Iterator["QueryLog"]:
        """Count (and keep, for replay) the statements run inside the block."""
        self.count, self.keep, self.statements = 0, keep, []
        try:
            yield self
        finally:
            self.keep = False

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


def rss_bytes() -> int:
    """This process's resident set size, from /proc (Linux)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except OSError:  # not Linux: the high-water mark is the best there is
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class RssPeak:
    """Samples RSS every few milliseconds in a thread; `growth` is peak minus the start."""

    def __init__(self, interval: float = 0.005):
        self.interval = interval
        self.start = self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "RssPeak":
        gc.collect()
        self.start = self.peak = rss_bytes()
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self.interval)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth(self) -> int:
        return self.peak - self.start


def repeat(run: Callable[[], object], times: int, warmup: int = 1) -> Timings:
    """Run `warmup` untimed calls, then time `times` calls."""
    for _ in range(warmup):
        run()
    timings = Timings()
    for _ in range(times):
        started = time.perf_counter()
        run()
        timings.runs.append(time.perf_counter() - started)
    return timings
