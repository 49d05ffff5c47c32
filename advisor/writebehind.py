"""Rows written behind the chat: kept in memory and written in batches, off the per-message path.

Writing one row per group message would cost a transaction each (milliseconds on SQLite, a round trip on
PostgreSQL). ``WriteBehind`` buffers rows and writes them in one transaction when ``rows`` have gathered, or
when the oldest has waited ``seconds``: checked as the next row arrives, and by a timer after a quiet chat's
first row, so other instances see it soon. A failed write keeps the rows, in order, for the next try; past
``max_rows`` (a database gone for long) the oldest are dropped, and that is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)

T = TypeVar("T")


class WriteBehind(Generic[T]):
    def __init__(self, engine: Engine, write: Callable[[Connection, list[T]], None], *, what: str, rows: int,
                 seconds: float, max_rows: int = 20_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.write = write  # writes a batch inside the given transaction
        self.what = what  # for the log: "moderation records"
        self.rows = rows
        self.seconds = seconds
        self.max_rows = max_rows
        self.clock = clock
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()  # one writer at a time keeps the rows in order
        self._buffer: list[T] = []
        self._since: float | None = None  # when the oldest buffered row arrived

    def add(self, row: T) -> None:
        now = self.clock()
        with self._lock:
            self._buffer.append(row)
            if len(self._buffer) > self.max_rows:
                del self._buffer[0]
                log.error("%s are piling up (the database is unavailable); dropped the oldest", self.what)
            first = self._since is None
            if self._since is None:
                self._since = now
            due = len(self._buffer) >= self.rows or now - self._since >= self.seconds
        if due:
            self.flush_quietly()
        elif first:  # a quiet chat: written within ``seconds`` anyway
            timer = threading.Timer(self.seconds, self.flush_quietly)
            timer.daemon = True
            timer.start()

    def flush(self) -> None:
        """Write what is buffered, in one transaction. On failure the rows stay buffered and the error is raised."""
        with self._flush_lock:
            with self._lock:
                rows, self._buffer, self._since = self._buffer, [], None
            if not rows:
                return
            try:
                with self.engine.begin() as connection:
                    self.write(connection, rows)
            except Exception:
                with self._lock:
                    self._buffer[:0] = rows
                    self._since = self._since or self.clock()
                raise

    def flush_quietly(self) -> None:
        """``flush``, logging a failure instead of raising it (the rows wait for the next try)."""
        try:
            self.flush()
        except Exception:
            log.exception("could not write %s; will retry", self.what)

    def discard(self, drop: Callable[[T], bool]) -> int:
        """Remove buffered rows (a member's, for /forget); how many. A flush in progress finishes first."""
        with self._flush_lock, self._lock:
            kept = [row for row in self._buffer if not drop(row)]
            dropped = len(self._buffer) - len(kept)
            self._buffer = kept
            return dropped

    def pending(self) -> int:
        with self._lock:
            return len(self._buffer)
