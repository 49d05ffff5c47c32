"""Where contribution points come from, persisted: recent group posts' authors, helpful marks, completed quizzes
and the names /top shows. SQLAlchemy on the app's engine (SQLite or PostgreSQL); the counting rules are in
``advisor.community.points``.

Post authors are needed because Telegram reports a reaction with the post's id but not its author. Every group
message is recorded, so that path must not wait on the database: authors go to an in-memory map (what a reaction
usually needs: a recent post) and to a buffer written in batches (for other instances and restarts). Author rows
older than ``POSTS_KEPT`` are pruned: a mark on an older post is not counted.

Personal data (see ``bots.chat.points.PointsData``): which posts a member wrote (ids only, never text) for a
week, marks they gave and received, quizzes they completed, and their name as /top shows it to the group.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, String, UniqueConstraint, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from advisor.community.points import Mark
from advisor.db import as_utc
from advisor.writebehind import WriteBehind

log = logging.getLogger(__name__)

POSTS_KEPT = timedelta(days=7)  # a mark on a post older than this finds no author and is not counted
AUTHORS_CACHED = 100_000  # recent (chat, post) -> author pairs kept in memory
FLUSH_ROWS = 200  # buffered author rows are written when this many wait...
FLUSH_SECONDS = 2.0  # ...or the oldest has waited this long
PRUNE_EVERY = 3600.0  # seconds between deletions of old author rows
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class PostRow(Base):
    __tablename__ = "pts_posts"

    chat_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_key: Mapped[str] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(String(256))  # how the group names the author (shown by /top)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class MarkRow(Base):
    __tablename__ = "pts_marks"
    __table_args__ = (UniqueConstraint("chat_key", "giver", "message_id"),)  # one mark per member per post

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_key: Mapped[str] = mapped_column(String(128), index=True)
    giver: Mapped[str] = mapped_column(String(128), index=True)
    receiver: Mapped[str] = mapped_column(String(128), index=True)
    message_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[int] = mapped_column(Integer)  # the UTC day (days since 1970-01-01): read back without parsing
    new_giver: Mapped[bool] = mapped_column(Boolean, default=False)


class QuizRow(Base):
    __tablename__ = "pts_quizzes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_key: Mapped[str] = mapped_column(String(128), index=True)
    user_key: Mapped[str] = mapped_column(String(128), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NameRow(Base):
    __tablename__ = "pts_names"

    chat_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_key: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(256))


@dataclass(frozen=True)
class MemberPoints:
    """What the store holds about one member, in every chat (for /privacy)."""

    posts: int
    given: int
    received: int
    quizzes: int
    chats: int


class PointsStore:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.clock = clock
        Base.metadata.create_all(engine)
        self._lock = threading.Lock()
        self._authors: OrderedDict[tuple[str, str], tuple[str, str]] = OrderedDict()
        self._pending: WriteBehind[dict[str, Any]] = WriteBehind(engine, self._write_authors, what="post authors",
                                                                 rows=FLUSH_ROWS, seconds=FLUSH_SECONDS, clock=clock)
        self._pruned = clock()
        self.changes = 0  # counts marks, quizzes and erasures made through this store: a cached table is stale

    # -- post authors (every group message) -------------------------------------------------------------

    def posted(self, chat_key: str, message_id: str, user_key: str, name: str, at: datetime) -> None:
        """Remember who wrote a group post (in memory at once; written in a batch)."""
        with self._lock:
            self._authors[(chat_key, message_id)] = (user_key, name)
            if len(self._authors) > AUTHORS_CACHED:
                self._authors.popitem(last=False)
        self._pending.add(dict(chat_key=chat_key, message_id=message_id, user_key=user_key, name=name[:256],
                               at=at.astimezone(UTC)))

    def flush(self) -> None:
        """Write the buffered author rows in one transaction (and prune old ones now and then)."""
        self._pending.flush()

    def _write_authors(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        connection.execute(_insert_ignore(connection, PostRow), rows)
        if self.clock() - self._pruned >= PRUNE_EVERY:
            connection.execute(delete(PostRow).where(PostRow.at < datetime.now(UTC) - POSTS_KEPT))
            self._pruned = self.clock()

    def author(self, chat_key: str, message_id: str, now: datetime) -> tuple[str, str] | None:
        """(user key, name) of a post's author, if the post is known and less than ``POSTS_KEPT`` old."""
        with self._lock:
            known = self._authors.get((chat_key, message_id))
        if known is not None:
            return known
        self._pending.flush_quietly()
        with Session(self.engine) as session:
            row = session.get(PostRow, (chat_key, message_id))
            if row is None or as_utc(row.at) < now - POSTS_KEPT:
                return None
            return row.user_key, row.name

    # -- marks, quizzes and names ---------------------------------------------------------------------------

    def mark(self, chat_key: str, mark: Mark) -> bool:
        """Store a helpful mark; False when it is a self-mark or the giver already marked that post."""
        if mark.giver == mark.receiver:
            return False
        with self.engine.begin() as connection:
            result = connection.execute(_insert_ignore(connection, MarkRow).values(
                chat_key=chat_key, giver=mark.giver, receiver=mark.receiver, message_id=mark.message_id,
                at=mark.at.astimezone(UTC), day=day_number(mark.at), new_giver=mark.new_giver)
                .returning(MarkRow.id))
            stored = result.first() is not None  # (rowcount is -1 on PostgreSQL with RETURNING)
        self._changed()
        return stored

    def _changed(self) -> None:
        with self._lock:
            self.changes += 1

    def quiz_completed(self, chat_key: str, user_key: str, at: datetime) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(QuizRow(chat_key=chat_key, user_key=user_key, at=at.astimezone(UTC)))
        self._changed()

    def name(self, chat_key: str, user_key: str, name: str) -> None:
        """How /top names the member in this chat (their handle or display name, as the group sees it)."""
        if not name:
            return
        with Session(self.engine) as session, session.begin():
            session.merge(NameRow(chat_key=chat_key, user_key=user_key, name=name[:256]))

    def marks(self, chat_key: str) -> list[Mark]:
        """The chat's marks in the order they were given, each dated at the start of its UTC day (what the rules
        count by): reading a day number is ~10x cheaper than parsing a stored time, on a chat's every mark."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(MarkRow.giver, MarkRow.receiver, MarkRow.message_id, MarkRow.day,
                                             MarkRow.new_giver).where(MarkRow.chat_key == chat_key)
                                      .order_by(MarkRow.id))
            days: dict[int, datetime] = {}
            return [Mark(giver, receiver, message_id, days.get(day) or days.setdefault(day, EPOCH + timedelta(day)),
                         bool(new)) for giver, receiver, message_id, day, new in rows]

    def quizzes(self, chat_key: str) -> list[tuple[str, datetime]]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(QuizRow.user_key, QuizRow.at).where(QuizRow.chat_key == chat_key))
            return [(user, as_utc(at)) for user, at in rows]

    def names(self, chat_key: str) -> dict[str, str]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(NameRow.user_key, NameRow.name).where(NameRow.chat_key == chat_key))
            return {user: name for user, name in rows}

    def has_chat(self, chat_key: str) -> bool:
        """Whether any mark or quiz was ever recorded in the chat."""
        with self.engine.connect() as connection:
            return any(connection.scalar(select(func.count()).select_from(table).where(table.chat_key == chat_key))
                       for table in (MarkRow, QuizRow))

    def chats(self) -> list[str]:
        with self.engine.connect() as connection:
            found = {key for (key,) in connection.execute(select(MarkRow.chat_key).distinct())}
            found |= {key for (key,) in connection.execute(select(QuizRow.chat_key).distinct())}
        return sorted(found)

    # -- one member (/privacy, /forget) ----------------------------------------------------------------------

    def member(self, user_key: str) -> MemberPoints:
        self._pending.flush_quietly()
        with self.engine.connect() as connection:
            def count(table: Any, *where: Any) -> int:
                return int(connection.scalar(select(func.count()).select_from(table).where(*where)) or 0)

            chats = {key for (key,) in connection.execute(select(MarkRow.chat_key).where(
                MarkRow.receiver == user_key).distinct())}
            chats |= {key for (key,) in connection.execute(select(QuizRow.chat_key).where(
                QuizRow.user_key == user_key).distinct())}
            return MemberPoints(count(PostRow, PostRow.user_key == user_key),
                                count(MarkRow, MarkRow.giver == user_key),
                                count(MarkRow, MarkRow.receiver == user_key),
                                count(QuizRow, QuizRow.user_key == user_key), len(chats))

    def forget(self, user_key: str) -> int:
        """Erase everything about the member: their posts' authorship, marks they gave or received, quizzes and
        names; how many rows (buffered ones included)."""
        erased = self._pending.discard(lambda row: row["user_key"] == user_key)
        with self._lock:
            for key in [k for k, (user, _) in self._authors.items() if user == user_key]:
                del self._authors[key]
        with self.engine.begin() as connection:
            for statement in (delete(PostRow).where(PostRow.user_key == user_key),
                              delete(MarkRow).where(or_(MarkRow.giver == user_key, MarkRow.receiver == user_key)),
                              delete(QuizRow).where(QuizRow.user_key == user_key),
                              delete(NameRow).where(NameRow.user_key == user_key)):
                erased += int(connection.execute(statement).rowcount)
        self._changed()
        return erased


def day_number(moment: datetime) -> int:
    """The UTC day of ``moment`` as days since 1970-01-01."""
    return (moment.astimezone(UTC).date() - EPOCH.date()).days


def _insert_ignore(connection: Connection, table: type[PostRow] | type[MarkRow]) -> Any:
    """INSERT that skips a row whose key exists (a post seen twice, a second mark on one post)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()
