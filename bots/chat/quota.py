"""Per-member question quotas, counted in the database so that every bot instance sees the same count.

A sliding window: a member may ask ``limit`` questions per chat in any ``window`` seconds. Each question is
one row (hashes of chat and member, and a wall-clock time). The check inserts first and counts after, so
two instances racing for the last slot can both refuse but never both accept: the quota is never exceeded.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from sqlalchemy import Float, Integer, String, delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class QuotaEvent(Base):
    __tablename__ = "quota_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member: Mapped[str] = mapped_column(String(64), index=True)  # hashes: the table holds no raw ids
    chat: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float, index=True)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class Quota:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time, window: float = 3600.0) -> None:
        self.engine = engine
        self.clock = clock  # wall time, not monotonic: instances on other machines share the count
        self.window = window
        Base.metadata.create_all(engine)

    def allow(self, chat_key: str, user_key: str, limit: int) -> bool:
        """Count one question; False (and nothing counted) when the member's window here is already full."""
        member, chat, now = _hash(user_key), _hash(chat_key), self.clock()
        with Session(self.engine) as session, session.begin():
            session.execute(delete(QuotaEvent).where(QuotaEvent.at <= now - self.window))  # forget old events
            event = QuotaEvent(member=member, chat=chat, at=now)
            session.add(event)
            session.flush()
            used = session.scalar(select(func.count()).select_from(QuotaEvent).where(
                QuotaEvent.member == member, QuotaEvent.chat == chat, QuotaEvent.at > now - self.window)) or 0
            if used > limit:
                session.delete(event)
                return False
            return True

    def forget(self, user_key: str) -> None:
        """/forget: drop the member's recent questions too."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(QuotaEvent).where(QuotaEvent.member == _hash(user_key)))
