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

from sqlalchemy import Float, String, Text, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
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
        # SQLAlchemy Core, not the ORM: this runs on every question, and the ORM unit of work tripled its cost.
        now = self.clock()
        key = (BUCKETS.c.member == member) & (BUCKETS.c.chat == chat)
        with self.engine.begin() as connection:
            stored = self._lock_row(connection, member, chat, now)
            times = [t for t in json.loads(stored or "[]") if t > now - self.window]
            allowed = len(times) < limit
            if allowed:
                times.append(now)
            connection.execute(update(BUCKETS).where(key).values(times=json.dumps(times)))
            if now - self._swept > SWEEP_SECONDS:  # buckets quiet for a whole window hold nothing worth keeping
                connection.execute(delete(BUCKETS).where(BUCKETS.c.updated <= now - self.window))
                self._swept = now
            return allowed

    def _lock_row(self, connection: Connection, member: str, chat: str, now: float) -> str | None:
        """Lock the member's row (creating it if needed) and read its times: one INSERT ... ON CONFLICT DO UPDATE
        ... RETURNING on PostgreSQL and SQLite, an UPDATE then a SELECT (or an INSERT) elsewhere."""
        values = {"member": member, "chat": chat, "times": "[]", "updated": now}
        keys = [BUCKETS.c.member, BUCKETS.c.chat]
        if connection.dialect.name == "postgresql":
            pg = postgresql.insert(BUCKETS).values(values)
            upsert: Any = pg.on_conflict_do_update(index_elements=keys, set_={"updated": pg.excluded.updated})
        elif connection.dialect.name == "sqlite":
            lite = sqlite.insert(BUCKETS).values(values)
            upsert = lite.on_conflict_do_update(index_elements=keys, set_={"updated": lite.excluded.updated})
        else:
            key = (BUCKETS.c.member == member) & (BUCKETS.c.chat == chat)
            if connection.execute(update(BUCKETS).where(key).values(updated=now)).rowcount:
                return connection.execute(select(BUCKETS.c.times).where(key)).scalar()
            connection.execute(insert(BUCKETS).values(values))
            return None
        return connection.execute(upsert.returning(BUCKETS.c.times)).scalar()

    def forget(self, user_key: str) -> None:
        """/forget: drop the member's recent questions too."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(QuotaBucket).where(QuotaBucket.member == _hash(user_key)))
