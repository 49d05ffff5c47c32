"""Briefing subscriptions and the ledger of scheduled sends, in the app's database.

The ledger's primary key (chat, local date) is what makes a scheduled briefing exactly-once: whoever inserts
the row sends, and a restart, a retry or a second instance on the same database finds it taken. A send that
failed may be claimed again (a conditional UPDATE, atomic on SQLite and PostgreSQL alike) a few times while the
briefing is still due; a send interrupted by a crash stays claimed, because a briefing posted twice is worse
than one posted late or not at all.

Watchlists are encrypted at rest with the app's key ring (a private chat's watchlist is personal): the column
holds a Fernet token. Rows written before that hold plain JSON; they are read as they are and encrypted when the
store opens. A subscription set up in a private chat records its ``owner`` (the member's pseudonym), so /privacy
and /forget find it on every platform (a Discord DM's channel id is not the member's id). A store opened
without a ring (tests, tools that never read watchlists) keeps them plain and refuses to read a token.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, time

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Integer,
    String,
    Text,
    delete,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from advisor.briefing.subscription import Subscription
from advisor.keys import KeyRing
from knowledge.errors import UserError

log = logging.getLogger(__name__)

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
    watchlist: Mapped[str] = mapped_column(Text)  # a Fernet token of a JSON list (plain JSON before encryption)
    chart: Mapped[bool] = mapped_column(Boolean)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)  # pseudonym, for a private chat


class SendRow(Base):
    __tablename__ = "briefing_sends"

    chat_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # sending, sent, failed, skipped
    attempts: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(200), default="")
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def is_token(stored: str) -> bool:
    return stored.startswith("gAAAAA")  # a Fernet token's version byte and timestamp; JSON starts with "["


class SqlBriefingStore:
    def __init__(self, engine: Engine, key: bytes | KeyRing | None = None) -> None:
        self.engine = engine
        self.ring = None if key is None else KeyRing.from_key(key)
        Base.metadata.create_all(engine)
        self._add_owner_column()
        if self.ring is not None:
            self.encrypt_plain_watchlists()

    def _add_owner_column(self) -> None:
        """Tables created before ``owner`` existed get the column (two instances racing: the loser finds it)."""
        if "owner" in {c["name"] for c in inspect(self.engine).get_columns(SubscriptionRow.__tablename__)}:
            return
        try:
            with self.engine.begin() as connection:
                connection.execute(text(f"ALTER TABLE {SubscriptionRow.__tablename__} ADD COLUMN owner VARCHAR(64)"))
        except DBAPIError:
            if "owner" not in {c["name"] for c in inspect(self.engine).get_columns(SubscriptionRow.__tablename__)}:
                raise

    def encrypt_plain_watchlists(self) -> int:
        """Encrypt watchlists stored before encryption (each only if still unchanged); how many were."""
        assert self.ring is not None
        with self.engine.connect() as connection:
            plain = [(k, w) for k, w in connection.execute(select(SubscriptionRow.chat_key, SubscriptionRow.watchlist))
                     if not is_token(w)]
        for chat_key, stored in plain:
            with self.engine.begin() as connection:
                connection.execute(update(SubscriptionRow).where(SubscriptionRow.chat_key == chat_key,
                                                                 SubscriptionRow.watchlist == stored)
                                   .values(watchlist=self._seal(json.loads(stored))))
        if plain:
            log.info("encrypted %d briefing watchlist(s) stored before watchlists were encrypted", len(plain))
        return len(plain)

    def _seal(self, watchlist: list[str]) -> str:
        data = json.dumps(watchlist).encode()
        return data.decode() if self.ring is None else self.ring.encrypt(data).decode()

    def _open(self, stored: str) -> tuple[str, ...]:
        if not is_token(stored):
            return tuple(json.loads(stored))
        if self.ring is None:
            raise UserError("This briefing store was opened without the app's key, so watchlists cannot be read.")
        return tuple(json.loads(self.ring.decrypt(stored.encode())))

    def _subscription(self, row: SubscriptionRow) -> Subscription:
        hours, minutes = (int(part) for part in row.local_time.split(":"))
        return Subscription(row.chat_key, time(hours, minutes), row.timezone,
                            frozenset(int(d) for d in row.days.split(",") if d), row.market,
                            self._open(row.watchlist), bool(row.chart), bool(row.enabled), row.updated_at)

    # -- subscriptions -------------------------------------------------------------------------------

    def get(self, chat_key: str) -> Subscription | None:
        with Session(self.engine) as session:
            row = session.get(SubscriptionRow, chat_key)
            return None if row is None else self._subscription(row)

    def save(self, sub: Subscription, owner: str | None = None) -> Subscription:
        """Insert or replace the chat's subscription; ``owner`` (a platform user id, stored as its pseudonym)
        marks a private chat's. A save without an owner keeps the one recorded."""
        now = datetime.now(UTC)
        with Session(self.engine) as session, session.begin():
            existing = session.get(SubscriptionRow, sub.chat_key)
            kept = existing.owner if existing is not None else None
            session.merge(SubscriptionRow(chat_key=sub.chat_key, local_time=f"{sub.time:%H:%M}",
                                          timezone=sub.timezone, days=",".join(str(d) for d in sorted(sub.days)),
                                          market=sub.market, watchlist=self._seal(list(sub.watchlist)),
                                          chart=sub.chart, enabled=sub.enabled, updated_at=now,
                                          owner=self._owner(owner) if owner is not None else kept))
        return self.get(sub.chat_key) or sub

    def _owner(self, user_id: str) -> str | None:
        """The pseudonym stored as owner; None without a ring (then only the Telegram rule below finds it)."""
        return None if self.ring is None else self.ring.pseudonym(user_id)

    def _owned(self, user_id: str) -> ColumnElement[bool]:
        # The owner column, and for rows saved before it existed the key a private chat has on Telegram (its id
        # is the member's id there); no group's key can equal a member's key.
        owner = self._owner(user_id)
        by_key = SubscriptionRow.chat_key == user_id
        return by_key if owner is None else or_(SubscriptionRow.owner == owner, by_key)

    def owned_by(self, user_id: str) -> list[Subscription]:
        """The subscriptions of ``user_id``'s private chats (``user_id`` as in ``Incoming.user_key``)."""
        with Session(self.engine) as session:
            rows = session.scalars(select(SubscriptionRow).where(self._owned(user_id))).all()
            return [self._subscription(row) for row in rows]

    def delete_owned(self, user_id: str) -> list[str]:
        """/forget: delete the subscriptions of the member's private chats (with their send ledger); their keys."""
        with self.engine.begin() as connection:
            keys = list(connection.scalars(select(SubscriptionRow.chat_key).where(self._owned(user_id))))
            if keys:
                connection.execute(delete(SubscriptionRow).where(SubscriptionRow.chat_key.in_(keys)))
                connection.execute(delete(SendRow).where(SendRow.chat_key.in_(keys)))
        return keys

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
            return iter([self._subscription(row) for row in rows])

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
