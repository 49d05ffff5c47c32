"""Briefing subscriptions and the ledger of scheduled sends, in the app's database.

The ledger's primary key (chat, local date) is what makes a scheduled briefing exactly-once: whoever inserts
the row sends, and a restart, a retry or a second instance on the same database finds it taken. A send that
failed may be claimed again (a conditional UPDATE, atomic on SQLite and PostgreSQL alike) a few times while the
briefing is still due; a send interrupted by a crash stays claimed, because a briefing posted twice is worse
than one posted late or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text, delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from advisor.briefing.subscription import Subscription

MAX_ATTEMPTS = 3  # claims of one briefing, across runs; each run also retries a failed send itself


class Base(DeclarativeBase):
    pass


class SubscriptionRow(Base):
    __tablename__ = "briefing_subscriptions"

    chat_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    local_time: Mapped[str] = mapped_column(String(5))  # "08:30"
    timezone: Mapped[str] = mapped_column(String(64))
    days: Mapped[str] = mapped_column(String(16))  # "0,1,2,3,4"
    market: Mapped[str] = mapped_column(String(8))
    watchlist: Mapped[str] = mapped_column(Text)  # a JSON list
    chart: Mapped[bool] = mapped_column(Boolean)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SendRow(Base):
    __tablename__ = "briefing_sends"

    chat_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # sending, sent, failed, skipped
    attempts: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(200), default="")
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def _subscription(row: SubscriptionRow) -> Subscription:
    hours, minutes = (int(part) for part in row.local_time.split(":"))
    return Subscription(row.chat_key, time(hours, minutes), row.timezone,
                        frozenset(int(d) for d in row.days.split(",") if d), row.market,
                        tuple(json.loads(row.watchlist)), bool(row.chart), bool(row.enabled), row.updated_at)


class SqlBriefingStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        Base.metadata.create_all(engine)

    # -- subscriptions -------------------------------------------------------------------------------

    def get(self, chat_key: str) -> Subscription | None:
        with Session(self.engine) as session:
            row = session.get(SubscriptionRow, chat_key)
            return None if row is None else _subscription(row)

    def save(self, sub: Subscription) -> Subscription:
        now = datetime.now(UTC)
        with Session(self.engine) as session, session.begin():
            session.merge(SubscriptionRow(chat_key=sub.chat_key, local_time=f"{sub.time:%H:%M}",
                                          timezone=sub.timezone, days=",".join(str(d) for d in sorted(sub.days)),
                                          market=sub.market, watchlist=json.dumps(list(sub.watchlist)),
                                          chart=sub.chart, enabled=sub.enabled, updated_at=now))
        return self.get(sub.chat_key) or sub

    def delete(self, chat_key: str) -> bool:
        with self.engine.begin() as connection:
            return connection.execute(delete(SubscriptionRow).where(
                SubscriptionRow.chat_key == chat_key)).rowcount > 0

    def move(self, old_key: str, new_key: str) -> None:
        """A Telegram group became a supergroup: its subscription follows it."""
        with self.engine.begin() as connection:
            connection.execute(update(SubscriptionRow).where(SubscriptionRow.chat_key == old_key)
                               .values(chat_key=new_key))

    def enabled(self) -> Iterator[Subscription]:
        with Session(self.engine) as session:
            rows = session.scalars(select(SubscriptionRow).where(SubscriptionRow.enabled.is_(True))
                                   .order_by(SubscriptionRow.chat_key)).all()
            return iter([_subscription(row) for row in rows])

    # -- the ledger ------------------------------------------------------------------------------------

    def claim(self, chat_key: str, local_date: date) -> bool:
        """True when this caller may send ``chat_key``'s scheduled briefing for ``local_date``."""
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(SendRow).values(chat_key=chat_key, local_date=local_date,
                                                          status="sending", attempts=1, detail="", claimed_at=now))
            return True
        except IntegrityError:
            pass
        with self.engine.begin() as connection:
            retried = connection.execute(
                update(SendRow).where(SendRow.chat_key == chat_key, SendRow.local_date == local_date,
                                      SendRow.status == "failed", SendRow.attempts < MAX_ATTEMPTS)
                .values(status="sending", attempts=SendRow.attempts + 1, claimed_at=now))
            return retried.rowcount == 1

    def finish(self, chat_key: str, local_date: date, status: str, detail: str = "") -> None:
        """Record how a claimed send ended: ``sent``, ``failed`` (may be claimed again) or ``skipped``."""
        with self.engine.begin() as connection:
            connection.execute(update(SendRow).where(SendRow.chat_key == chat_key, SendRow.local_date == local_date)
                               .values(status=status, detail=detail[:200], finished_at=datetime.now(UTC)))

    def sends(self, chat_key: str | None = None) -> list[tuple[str, date, str, int]]:
        """(chat, local date, status, attempts) rows, oldest first: for `brief show`, tests and operators."""
        query = select(SendRow.chat_key, SendRow.local_date, SendRow.status, SendRow.attempts)
        if chat_key is not None:
            query = query.where(SendRow.chat_key == chat_key)
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query.order_by(SendRow.local_date, SendRow.chat_key))]  # type: ignore[misc]
