"""Moderation state that must outlive the process: each chat's policy, the review queue, the decision log (which
also carries the warn ladder) and when members joined. SQLAlchemy on the app's engine (SQLite or PostgreSQL).

The hot path (every group message) must not wait on the database: policies and join times are read through
small in-process caches, and an ``ok`` verdict writes nothing. The bot's own verdicts and held posts are
buffered and written in batches (a spam raid or a pump wave flags hundreds of posts a second, and one
transaction per post would stall the chat); anything that reads them (the queue, the ladder, the log) flushes
first, so callers never see the buffer. Admin decisions and join events are written at once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, DateTime, Integer, String, Text, delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from advisor.db import as_utc
from advisor.moderation import Policy
from advisor.writebehind import WriteBehind

log = logging.getLogger(__name__)

POLICY_TTL = 30.0  # seconds a cached policy is trusted: another instance's change shows up within this
JOIN_REFRESH = 60.0  # a chat's recent joins are read again after this (another instance may have seen a join)
JOINS_KEPT = timedelta(days=31)  # older joins no longer matter: the longest new-member period is 30 days
MAX_CHATS = 10_000  # chats whose recent joins are kept in memory (least recently used go first)
LADDER_WINDOW = timedelta(hours=24)  # warnings older than this no longer count toward a mute (as the Moderator)
LADDER_KINDS = ("warn", "reject")  # what counts toward the warn ladder: warnings and rejected posts (strikes)
FLUSH_ROWS = 200  # buffered verdicts and held posts are written when this many are waiting...
FLUSH_SECONDS = 1.0  # ...or the oldest has waited this long (checked as the next one arrives)
MAX_BUFFERED = 20_000  # while the database is unavailable: beyond this the oldest rows are dropped (logged)
Status = Literal["pending", "approved", "rejected"]


class Base(DeclarativeBase):
    pass


class PolicyRow(Base):
    __tablename__ = "mod_policies"

    chat_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    overrides: Mapped[str] = mapped_column(Text)  # JSON: only the fields that differ from Policy()'s defaults
    updated_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QueueRow(Base):
    __tablename__ = "mod_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_key: Mapped[str] = mapped_column(String(128), index=True)
    message_id: Mapped[str] = mapped_column(String(64))
    user_key: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(64))  # the platform's id, for a mute after a rejection
    display_name: Mapped[str] = mapped_column(String(256))
    text: Mapped[str] = mapped_column(Text)
    categories: Mapped[str] = mapped_column(String(256))  # comma-separated
    reasons: Mapped[str] = mapped_column(Text)  # one per line
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LogRow(Base):
    """Every moderation decision: the bot's verdicts (actor "bot") and the admins' approvals and rejections."""

    __tablename__ = "mod_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_key: Mapped[str] = mapped_column(String(128), index=True)
    user_key: Mapped[str] = mapped_column(String(128), index=True)  # whose post it was
    kind: Mapped[str] = mapped_column(String(16))  # warn, hold, delete, mute, approve, reject
    actor: Mapped[str] = mapped_column(String(128))  # "bot" or the admin's user key
    message_id: Mapped[str] = mapped_column(String(64), default="")
    categories: Mapped[str] = mapped_column(String(256), default="")
    reasons: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MemberRow(Base):
    __tablename__ = "mod_members"

    chat_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class QueueItem:
    id: int
    chat_key: str
    message_id: str
    user_key: str
    user_id: str
    display_name: str
    text: str
    categories: tuple[str, ...]
    reasons: tuple[str, ...]
    at: datetime
    status: Status = "pending"
    decided_by: str | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class LogEntry:
    chat_key: str
    user_key: str
    kind: str
    actor: str
    message_id: str
    categories: tuple[str, ...]
    at: datetime


class ModerationStore:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.clock = clock
        Base.metadata.create_all(engine)
        self._lock = threading.Lock()
        self._policies: dict[str, tuple[Policy, float]] = {}
        self._joins: OrderedDict[str, tuple[dict[str, datetime], float]] = OrderedDict()  # chat -> recent joins
        self._pending: WriteBehind[tuple[type[QueueRow] | type[LogRow], dict[str, Any]]] = WriteBehind(
            engine, _write_rows, what="moderation records", rows=FLUSH_ROWS, seconds=FLUSH_SECONDS,
            max_rows=MAX_BUFFERED, clock=clock)

    # -- batched writes -------------------------------------------------------------------------------

    def _add(self, table: type[QueueRow] | type[LogRow], row: dict[str, Any]) -> None:
        self._pending.add((table, row))

    def flush(self) -> None:
        """Write what is buffered, in one transaction. On failure the rows stay buffered and the error is raised."""
        self._pending.flush()

    def _flush_for_read(self) -> None:
        try:
            self.flush()
        except Exception:  # the read shows what is stored; the rest follows when the database is back
            log.exception("could not write buffered moderation records before a read")

    # -- policies (read through a cache on every group message) --------------------------------------

    def policy(self, chat_key: str) -> Policy:
        now = self.clock()
        with self._lock:
            cached = self._policies.get(chat_key)
        if cached is not None and now - cached[1] < POLICY_TTL:
            return cached[0]
        try:
            with Session(self.engine) as session:
                row = session.get(PolicyRow, chat_key)
                policy = policy_from_json(row.overrides) if row is not None else Policy()
        except Exception:  # a locked or unreachable database: moderate with the last known (or default) policy
            log.exception("could not read the moderation policy of %s", chat_key)
            policy = cached[0] if cached is not None else Policy()
        with self._lock:  # cached even after a failure, so a locked database is not asked on every message
            self._policies[chat_key] = (policy, now)
        return policy

    def save_policy(self, chat_key: str, policy: Policy, by: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.merge(PolicyRow(chat_key=chat_key, overrides=policy_to_json(policy), updated_by=by,
                                    updated_at=datetime.now(UTC)))
        with self._lock:
            self._policies[chat_key] = (policy, self.clock())

    def move(self, old_key: str, new_key: str) -> None:
        """A chat got a new id: its policy follows it (the queue and log keep the old id, as history)."""
        with Session(self.engine) as session, session.begin():
            session.execute(update(PolicyRow).where(PolicyRow.chat_key == old_key).values(chat_key=new_key))
            session.execute(update(MemberRow).where(MemberRow.chat_key == old_key).values(chat_key=new_key))
        self._forget_cached(old_key, new_key)

    def removed(self, chat_key: str) -> None:
        """The bot left the chat: its policy and join times go; the decision log stays (it is the record)."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(PolicyRow).where(PolicyRow.chat_key == chat_key))
            session.execute(delete(MemberRow).where(MemberRow.chat_key == chat_key))
        self._forget_cached(chat_key)

    def _forget_cached(self, *chat_keys: str) -> None:
        with self._lock:
            for key in chat_keys:
                self._policies.pop(key, None)
                self._joins.pop(key, None)

    # -- member joins ---------------------------------------------------------------------------------

    def joined(self, chat_key: str, user_key: str, at: datetime) -> None:
        with self._lock:
            cached = self._joins.get(chat_key)
            if cached is not None:
                cached[0][user_key] = at
        with Session(self.engine) as session, session.begin():
            session.merge(MemberRow(chat_key=chat_key, user_key=user_key, joined_at=at))

    def joined_at(self, chat_key: str, user_key: str, now: datetime) -> datetime | None:
        """When the member joined, if in the 31 days before ``now`` (else None: not new). A chat's recent joins
        are read in one query and kept for a minute, so a message from a member never seen before costs no read."""
        clock = self.clock()
        with self._lock:
            cached = self._joins.get(chat_key)
            if cached is not None and clock - cached[1] < JOIN_REFRESH:
                self._joins.move_to_end(chat_key)
                return cached[0].get(user_key)
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(select(MemberRow.user_key, MemberRow.joined_at).where(
                    (MemberRow.chat_key == chat_key) & (MemberRow.joined_at > now - JOINS_KEPT)))
                joins = {user: as_utc(at) for user, at in rows}
        except Exception:  # the last known joins (or none: members are then treated as not new)
            log.exception("could not read the recent joins of %s", chat_key)
            joins = cached[0] if cached is not None else {}
        with self._lock:
            self._joins[chat_key] = (joins, clock)
            self._joins.move_to_end(chat_key)
            if len(self._joins) > MAX_CHATS:
                self._joins.popitem(last=False)
        return joins.get(user_key)

    # -- the review queue -----------------------------------------------------------------------------

    def enqueue(self, item: QueueItem) -> None:
        """Queue a held post for review (buffered: it is listed by the next ``pending``)."""
        self._add(QueueRow, dict(
            chat_key=item.chat_key, message_id=item.message_id, user_key=item.user_key, user_id=item.user_id,
            display_name=item.display_name, text=item.text, categories=",".join(item.categories),
            reasons="\n".join(item.reasons), at=item.at, status="pending"))

    def pending(self, chat_key: str, limit: int) -> tuple[list[QueueItem], int]:
        """The newest ``limit`` pending items of a chat, newest first, and how many are pending in all."""
        self._flush_for_read()
        with Session(self.engine) as session:
            where = (QueueRow.chat_key == chat_key) & (QueueRow.status == "pending")
            rows = session.scalars(select(QueueRow).where(where).order_by(QueueRow.id.desc()).limit(limit)).all()
            total = session.scalar(select(func.count()).select_from(QueueRow).where(where)) or 0
            return [_item(row) for row in rows], total

    def item(self, item_id: int) -> QueueItem | None:
        self._flush_for_read()
        with Session(self.engine) as session:
            row = session.get(QueueRow, item_id)
            return _item(row) if row is not None else None

    def decide(self, item_id: int, status: Status, by: str, at: datetime) -> QueueItem | None:
        """Approve or reject a pending item, once: None when it is not pending any more (a stale button or
        another admin was quicker). The decision goes to the log in the same transaction."""
        with Session(self.engine) as session, session.begin():
            done = session.execute(update(QueueRow).where((QueueRow.id == item_id) & (QueueRow.status == "pending"))
                                   .values(status=status, decided_by=by, decided_at=at))
            if not done.rowcount:  # type: ignore[attr-defined]
                return None
            row = session.get(QueueRow, item_id)
            assert row is not None
            session.add(LogRow(chat_key=row.chat_key, user_key=row.user_key, actor=by, message_id=row.message_id,
                               kind="approve" if status == "approved" else "reject", categories=row.categories,
                               reasons=row.reasons, at=at))
            return _item(row)

    # -- the decision log and the warn ladder ---------------------------------------------------------

    def record(self, entry: LogEntry, reasons: tuple[str, ...] = ()) -> None:
        """Log one of the bot's decisions (buffered)."""
        self._add(LogRow, dict(
            chat_key=entry.chat_key, user_key=entry.user_key, kind=entry.kind, actor=entry.actor,
            message_id=entry.message_id, categories=",".join(entry.categories), reasons="\n".join(reasons),
            at=entry.at))

    def strikes(self, chat_key: str, user_key: str, now: datetime) -> int:
        """Warnings and rejections of a member in the last day, since their last mute: the persisted warn ladder,
        so a restart or a second instance does not give anyone a fresh start."""
        self._flush_for_read()
        with Session(self.engine) as session:
            mine = (LogRow.chat_key == chat_key) & (LogRow.user_key == user_key)
            last_mute = session.scalar(select(func.max(LogRow.at)).where(mine & (LogRow.kind == "mute")))
            since = now - LADDER_WINDOW
            if last_mute is not None and as_utc(last_mute) > since:
                since = as_utc(last_mute)
            return session.scalar(select(func.count()).select_from(LogRow).where(
                mine & LogRow.kind.in_(LADDER_KINDS) & (LogRow.at > since))) or 0

    def strikes_by_member(self, chat_key: str) -> dict[str, int]:
        """Each member's warnings and rejections in the chat, all time (what contribution points subtract)."""
        self._flush_for_read()
        with Session(self.engine) as session:
            rows = session.execute(select(LogRow.user_key, func.count()).where(
                LogRow.chat_key == chat_key, LogRow.kind.in_(LADDER_KINDS)).group_by(LogRow.user_key))
            return {user: int(count) for user, count in rows}

    def history(self, chat_key: str, *, since: datetime | None = None, until: datetime | None = None
                ) -> list[LogEntry]:
        """The chat's logged decisions, oldest first; with ``since``/``until``, those in [since, until)."""
        self._flush_for_read()
        where = LogRow.chat_key == chat_key
        if since is not None:
            where &= LogRow.at >= since.astimezone(UTC)  # stored in UTC (naive on SQLite)
        if until is not None:
            where &= LogRow.at < until.astimezone(UTC)
        with Session(self.engine) as session:
            rows = session.scalars(select(LogRow).where(where).order_by(LogRow.id)).all()
            return [LogEntry(r.chat_key, r.user_key, r.kind, r.actor, r.message_id, _split(r.categories, ","),
                             as_utc(r.at)) for r in rows]


    # -- one member's records (/privacy, /forget) --------------------------------------------------------

    def member_records(self, user_key: str) -> MemberRecords:
        """What moderation keeps about one member, in every chat."""
        self._flush_for_read()
        with Session(self.engine) as session:
            held = session.scalars(select(QueueRow).where(QueueRow.user_key == user_key)
                                   .order_by(QueueRow.id)).all()
            decisions = session.execute(select(LogRow.kind, func.count()).where(LogRow.user_key == user_key)
                                        .group_by(LogRow.kind)).all()
            joins = session.execute(select(MemberRow.chat_key, MemberRow.joined_at)
                                    .where(MemberRow.user_key == user_key)).all()
            return MemberRecords([_item(row) for row in held], {kind: count for kind, count in decisions},
                                 [(chat, as_utc(at)) for chat, at in joins])

    def forget_member(self, user_key: str) -> int:
        """/forget: delete the posts of the member held for review, in every chat, decided or not (they hold
        the member's words), including any still buffered; how many. The decision log and join times stay:
        they are the groups' safety record, and erasing them would let a spammer reset their warnings."""
        buffered = self._pending.discard(lambda item: item[0] is QueueRow and item[1]["user_key"] == user_key)
        with Session(self.engine) as session, session.begin():
            result = session.execute(delete(QueueRow).where(QueueRow.user_key == user_key))
            return buffered + int(result.rowcount)  # type: ignore[attr-defined]


def _write_rows(connection: Connection, rows: list[tuple[type[QueueRow] | type[LogRow], dict[str, Any]]]) -> None:
    for table in (QueueRow, LogRow):  # held posts first: a log row may refer to one
        batch = [row for t, row in rows if t is table]
        if batch:
            connection.execute(insert(table), batch)


@dataclass(frozen=True)
class MemberRecords:
    held: list[QueueItem]  # posts held for review (any status)
    decisions: dict[str, int]  # kind (warn, hold, delete, mute, approve, reject) -> count, in every chat
    joins: list[tuple[str, datetime]]  # (chat, when the member joined)

    @property
    def strikes(self) -> int:
        return sum(self.decisions.get(kind, 0) for kind in LADDER_KINDS)


def policy_to_json(policy: Policy) -> str:
    default = Policy()
    overrides: dict[str, Any] = {f.name: getattr(policy, f.name) for f in fields(Policy)
                                 if f.name != "actions" and getattr(policy, f.name) != getattr(default, f.name)}
    actions = {k: v for k, v in policy.actions.items() if default.action_for(k) != v}
    if actions:
        overrides["actions"] = actions
    return json.dumps(overrides, sort_keys=True)


def policy_from_json(data: str) -> Policy:
    """Unknown fields (from a newer or older version) are ignored rather than failing the chat's moderation."""
    overrides = json.loads(data)
    known = {f.name for f in fields(Policy)} - {"actions"}
    policy = Policy(**{k: v for k, v in overrides.items() if k in known})
    actions = {k: v for k, v in overrides.get("actions", {}).items() if v in ("warn", "hold", "delete")}
    return policy.with_actions(**actions) if actions else policy


def _item(row: QueueRow) -> QueueItem:
    status: Status = "approved" if row.status == "approved" else "rejected" if row.status == "rejected" \
        else "pending"
    return QueueItem(row.id, row.chat_key, row.message_id, row.user_key, row.user_id, row.display_name, row.text,
                     _split(row.categories, ","), _split(row.reasons, "\n"), as_utc(row.at), status,
                     row.decided_by, as_utc(row.decided_at) if row.decided_at else None)


def _split(value: str, sep: str) -> tuple[str, ...]:
    return tuple(part for part in value.split(sep) if part)
