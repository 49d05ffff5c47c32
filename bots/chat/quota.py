"""Per-member question quotas, counted in the database so that every bot instance sees the same count.

A sliding window: a member may ask ``limit`` questions per chat in any ``window`` seconds. Each (member, chat)
has one row holding the times of its recent questions (hashed keys: the table holds no raw ids).

Concurrency: the check must be atomic across instances, or two racing requests could both take the last
slot. Each check opens its transaction with a write to the member's row (``INSERT ... ON CONFLICT DO UPDATE
SET updated ... RETURNING times``, one statement that also creates a missing row): on PostgreSQL that locks the
row until commit, and on SQLite it takes the database's write lock, so the times it reads include every earlier
question and no other check can interleave. Other databases get an UPDATE then a SELECT, or an INSERT; two
instances inserting the same new row there collide on the primary key and the loser retries.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Float, String, Text, delete, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class QuotaBucket(Base):
    __tablename__ = "quota_buckets"

    member: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat: Mapped[str] = mapped_column(String(64), primary_key=True)
    times: Mapped[str] = mapped_column(Text)  # JSON list of wall-clock times inside the window
    updated: Mapped[float] = mapped_column(Float, index=True)


BUCKETS = Base.metadata.tables[QuotaBucket.__tablename__]
SWEEP_SECONDS = 60.0
LOCK_ROW = text("INSERT INTO quota_buckets (member, chat, times, updated) VALUES (:member, :chat, '[]', :now) "
                "ON CONFLICT (member, chat) DO UPDATE SET updated = excluded.updated RETURNING times")
SAVE_TIMES = text("UPDATE quota_buckets SET times = :times WHERE member = :member AND chat = :chat")


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class Quota:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time, window: float = 3600.0) -> None:
        self.engine = engine
        self.clock = clock  # wall time, not monotonic: instances on other machines share the count
        self.window = window
        self._swept = 0.0  # when this instance last deleted expired buckets
        Base.metadata.create_all(engine)

    def allow(self, chat_key: str, user_key: str, limit: int) -> bool:
        """Count one question; False (and nothing counted) when the member's window here is already full."""
        member, chat = _hash(user_key), _hash(chat_key)
        for _ in range(5):
            try:
                return self._take(member, chat, limit)
            except IntegrityError:  # another instance created the row first: the next try finds it
                continue
        raise RuntimeError("quota row kept colliding")  # five collisions in a row: the database is misbehaving

    def _take(self, member: str, chat: str, limit: int) -> bool:
        # Plain SQL statements, compiled once: this runs on every question, and building SQLAlchemy constructs
        # per call cost more than the database work (the ORM unit of work, three times more again).
        now = self.clock()
        row = {"member": member, "chat": chat, "now": now}
        with self.engine.begin() as connection:
            stored = self._lock_row(connection, row)
            times = [t for t in json.loads(stored or "[]") if t > now - self.window]
            allowed = len(times) < limit
            if allowed:
                times.append(now)
            connection.execute(SAVE_TIMES, {**row, "times": json.dumps(times)})
            if now - self._swept > SWEEP_SECONDS:  # buckets quiet for a whole window hold nothing worth keeping
                connection.execute(delete(BUCKETS).where(BUCKETS.c.updated <= now - self.window))
                self._swept = now
            return allowed

    @staticmethod
    def _lock_row(connection: Connection, row: dict[str, Any]) -> str | None:
        """Lock the member's row (creating it if needed) and read its times: one upsert on PostgreSQL and SQLite
        (both spell it the same way), an UPDATE then a SELECT (or an INSERT) elsewhere."""
        if connection.dialect.name in {"postgresql", "sqlite"}:
            return connection.execute(LOCK_ROW, row).scalar()
        key = (BUCKETS.c.member == row["member"]) & (BUCKETS.c.chat == row["chat"])
        if connection.execute(update(BUCKETS).where(key).values(updated=row["now"])).rowcount:
            return connection.execute(select(BUCKETS.c.times).where(key)).scalar()
        connection.execute(insert(BUCKETS).values(member=row["member"], chat=row["chat"], times="[]",
                                                  updated=row["now"]))
        return None

    def recent(self, user_key: str) -> tuple[int, int]:
        """(chats with a counter, questions counted in the current window) for one member (for /privacy)."""
        now = self.clock()
        with self.engine.connect() as connection:
            rows = connection.execute(select(BUCKETS.c.times).where(BUCKETS.c.member == _hash(user_key))).all()
        return len(rows), sum(len([t for t in json.loads(times) if t > now - self.window]) for (times,) in rows)

    def forget(self, user_key: str) -> None:
        """/forget: drop the member's recent questions too."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(QuotaBucket).where(QuotaBucket.member == _hash(user_key)))
