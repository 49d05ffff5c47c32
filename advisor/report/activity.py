"""Hourly activity per chat, persisted: how many messages, how they read (bullish, bearish, neutral), how many
sounded fearful and the sum of their sentiment scores. What ``roundtable report`` draws the mood trend and the
busiest hours from (the mood tracker itself is in memory and forgets on restart).

Counts only: never a message's text, author or id, so the table says nothing about any member. One row per
(chat, UTC hour); ``hour`` is the hour's start as whole hours since the Unix epoch (an integer: the same on
SQLite and PostgreSQL, and no time-zone handling in the database).

The chat counts every group message it scores for mood, ~1,000 a second at peak, so ``ActivityRecorder.count``
only adds to an in-memory map under a lock; a background thread writes the map every ``flush_every`` seconds
(one transaction, one upsert per chat and hour touched), and ``close()`` writes the rest at shutdown. Upserts
ADD to a stored row, so several bot instances on one database sum correctly. A failed write keeps the counts
for the next one; a crash loses at most the last interval's counts (acceptable for a weekly picture).
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Float, Integer, String, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from advisor.mood.types import Sentiment

log = logging.getLogger(__name__)

FLUSH_EVERY = 60.0  # seconds between writes: a report reads days, and a minute's counts are cheap to lose
MAX_PENDING = 50_000  # (chat, hour) pairs kept while the database is unavailable; then the oldest hours go
COUNTS = ("messages", "bullish", "bearish", "neutral", "fear")  # integer columns, in _Pending's order


class Base(DeclarativeBase):
    pass


class ActivityRow(Base):
    __tablename__ = "chat_activity"

    chat_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)  # hours since 1970-01-01T00:00Z
    messages: Mapped[int] = mapped_column(Integer)
    bullish: Mapped[int] = mapped_column(Integer)
    bearish: Mapped[int] = mapped_column(Integer)
    neutral: Mapped[int] = mapped_column(Integer)
    fear: Mapped[int] = mapped_column(Integer)
    sentiment_sum: Mapped[float] = mapped_column(Float)  # sum of scores in [-1, 1]: mood index = 100 x sum / messages


@dataclass(frozen=True, slots=True)
class HourCounts:
    """One chat's counts for one UTC hour starting at ``start``."""

    start: datetime
    messages: int
    bullish: int
    bearish: int
    neutral: int
    fear: int
    sentiment_sum: float


def hour_of(at: datetime) -> int:
    """The epoch hour an aware time falls in (a naive one is taken as UTC, as the chat core's times are)."""
    moment = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return int(moment.timestamp() // 3600)


def hour_start(hour: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(hours=hour)


def create_table(engine: Engine) -> None:
    Base.metadata.create_all(engine)


class ActivityRecorder:
    """Counts messages in memory and writes them every ``flush_every`` seconds from a daemon thread (started by
    the first count). Thread-safe: the router's worker threads count while the writer flushes."""

    def __init__(self, engine: Engine, *, flush_every: float = FLUSH_EVERY) -> None:
        self.engine = engine
        self.flush_every = flush_every
        create_table(engine)
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()  # one write at a time: a failed batch goes back before the next
        # (chat, hour) -> [messages, bullish, bearish, neutral, fear, sentiment_sum]: a list, not a dataclass,
        # because this is updated ~1,000 times a second.
        self._pending: dict[tuple[str, int], list[Any]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def count(self, chat: str, at: datetime, sentiment: Sentiment) -> None:
        """One message of ``chat`` at ``at``, as the mood model read it."""
        key = (chat, hour_of(at))
        label = sentiment.label
        with self._lock:
            counts = self._pending.get(key)
            if counts is None:
                counts = self._pending[key] = [0, 0, 0, 0, 0, 0.0]
                if self._thread is None and not self._stop.is_set():
                    self._start()
            counts[0] += 1
            counts[1 if label == "bullish" else 2 if label == "bearish" else 3] += 1
            counts[4] += sentiment.fear
            counts[5] += sentiment.score

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="activity-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.flush_every):
            try:
                self.flush()
            except Exception:  # kept for the next try
                log.exception("could not write the chat activity counts; will retry")

    def pending(self) -> int:
        """How many (chat, hour) rows wait to be written."""
        with self._lock:
            return len(self._pending)

    def flush(self) -> None:
        """Write what is counted, in one transaction; on failure the counts are kept and the error raised."""
        with self._flush_lock:
            with self._lock:
                batch, self._pending = self._pending, {}
            if not batch:
                return
            try:
                with self.engine.begin() as connection:
                    _upsert(connection, [_row(key, counts) for key, counts in batch.items()])
            except Exception:
                self._restore(batch)
                raise

    def _restore(self, batch: dict[tuple[str, int], list[Any]]) -> None:
        with self._lock:
            for key, counts in batch.items():
                now = self._pending.setdefault(key, [0, 0, 0, 0, 0, 0.0])
                for i, value in enumerate(counts):
                    now[i] += value
            if len(self._pending) > MAX_PENDING:
                for key in sorted(self._pending, key=lambda k: k[1])[: len(self._pending) - MAX_PENDING]:
                    del self._pending[key]
                log.error("chat activity counts are piling up (the database is unavailable); dropped the oldest hours")

    def close(self) -> None:
        """Stop the writer and write what is left (at shutdown); a failure is logged, not raised."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            self.flush()
        except Exception:
            log.exception("could not write the last chat activity counts at shutdown")


def _row(key: tuple[str, int], counts: Sequence[Any]) -> dict[str, Any]:
    return {"chat_key": key[0], "hour": key[1], **dict(zip(COUNTS, counts[:5], strict=True)),
            "sentiment_sum": float(counts[5])}


def _upsert(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Add ``rows`` to what is stored: one INSERT .. ON CONFLICT DO UPDATE on SQLite and PostgreSQL, which is
    atomic per row when two instances write the same hour; elsewhere an UPDATE, then an INSERT where none was."""
    table = Base.metadata.tables[ActivityRow.__tablename__]
    dialect = connection.dialect.name
    if dialect in {"sqlite", "postgresql"}:
        insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        statement = insert(table)
        added = {name: table.c[name] + statement.excluded[name] for name in (*COUNTS, "sentiment_sum")}
        connection.execute(statement.on_conflict_do_update(index_elements=["chat_key", "hour"], set_=added), rows)
        return
    for row in rows:
        done = connection.execute(update(table).where(table.c.chat_key == row["chat_key"], table.c.hour == row["hour"])
                                  .values({name: table.c[name] + row[name] for name in (*COUNTS, "sentiment_sum")}))
        if not done.rowcount:
            connection.execute(table.insert(), row)


def read_activity(engine: Engine, chat: str, since: datetime, until: datetime) -> list[HourCounts]:
    """The chat's stored hours that overlap [since, until), oldest first (hours nobody wrote in are absent): counts
    are hourly, so a window that does not start or end on the hour takes in the whole of its first and last."""
    create_table(engine)
    query = select(ActivityRow).where(ActivityRow.chat_key == chat, ActivityRow.hour >= hour_of(since),
                                      ActivityRow.hour < math.ceil(until.timestamp() / 3600)).order_by(ActivityRow.hour)
    with engine.connect() as connection:
        return [HourCounts(hour_start(row.hour), row.messages, row.bullish, row.bearish, row.neutral, row.fear,
                           row.sentiment_sum) for row in connection.execute(query)]


def activity_chats(engine: Engine) -> list[str]:
    """Every chat with stored activity (for an unknown chat's error message)."""
    create_table(engine)
    with engine.connect() as connection:
        return [str(key) for key in connection.scalars(select(ActivityRow.chat_key).distinct())]
