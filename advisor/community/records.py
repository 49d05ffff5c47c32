"""Track records: a daily point per shared portfolio, a running summary per member, and members' public calls.

Tables (SQLAlchemy on the app's engine, created on open; SQLite and PostgreSQL):
- ``record_points``: one row per (chat, member, trading day) with the member's RECORD level that day;
- ``record_summaries``: one row per (chat, member), updated incrementally by the daily job (number of daily
  returns, their sum and sum of squares, peak, maximum drawdown, the benchmark over the same days, call counts),
  so the leaderboard reads one row per member and never a year of points;
- ``record_calls``: public calls (symbol, direction, when), graded 5 and 20 trading days later.

The record level chains the shared portfolio's value index (``SharedPortfolio.segment.level_at``) across
sharings: a day's return counts only between two points of the SAME sharing, and when a member unshares and
shares again the record goes on from where it was. So unsharing after a bad run and sharing afresh never
resets a record (unsharing does take the member off the leaderboard: ``active`` is false until they share).
Only /forget erases a record (see ``RecordsData`` in bots/chat/leaderboard.py for why).

Daily returns count only between consecutive points; a day with a missing price has no point, and the next
return spans both days (rare; it slightly understates volatility).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from advisor.community.calls import Call
from advisor.community.types import stored_risk
from advisor.db import as_utc
from advisor.types import RiskLevel

MAX_CALLS_PER_DAY = 5  # calls counted per member per chat and UTC day: volume must not buy a hit rate
CHUNK = 500  # keys per IN (...) query (SQLite's bound-parameter limit is far above, PostgreSQL's too)


class Base(DeclarativeBase):
    pass


class PointRow(Base):
    __tablename__ = "record_points"

    chat_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_key: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    level: Mapped[float] = mapped_column(Float)  # the record level (1.0 when the record started)


class SummaryRow(Base):
    __tablename__ = "record_summaries"

    chat_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_key: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    handle: Mapped[str] = mapped_column(String(256), default="")  # as the group knows them (shown there)
    active: Mapped[bool] = mapped_column(Boolean, default=False)  # sharing a portfolio now
    risk: Mapped[str | None] = mapped_column(String(2), nullable=True)  # the shared portfolio's class, last seen
    first_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    last_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    shared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)  # current sharing
    last_index: Mapped[float | None] = mapped_column(Float, nullable=True)  # its value index at last_day
    level: Mapped[float] = mapped_column(Float, default=1.0)  # the record level at last_day
    n: Mapped[int] = mapped_column(Integer, default=0)  # daily returns counted
    sum_r: Mapped[float] = mapped_column(Float, default=0.0)
    sum_r2: Mapped[float] = mapped_column(Float, default=0.0)
    peak: Mapped[float] = mapped_column(Float, default=1.0)
    max_drawdown: Mapped[float] = mapped_column(Float, default=0.0)  # a fraction: 0.2 is a 20% fall from a peak
    bench_last: Mapped[float | None] = mapped_column(Float, nullable=True)  # the benchmark's close at last_day
    bench_level: Mapped[float] = mapped_column(Float, default=1.0)  # the benchmark over the counted days
    calls5: Mapped[int] = mapped_column(Integer, default=0)  # calls graded after 5 trading days...
    hits5: Mapped[int] = mapped_column(Integer, default=0)  # ...and how many went the called way
    calls20: Mapped[int] = mapped_column(Integer, default=0)
    hits20: Mapped[int] = mapped_column(Integer, default=0)


class CallRow(Base):
    __tablename__ = "record_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_key: Mapped[str] = mapped_column(String(128), index=True)
    user_key: Mapped[str] = mapped_column(String(128), index=True)
    symbol: Mapped[str] = mapped_column(String(32))
    direction: Mapped[int] = mapped_column(Integer)  # 1 up, -1 down
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    result5: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 1 right, 0 wrong, None not yet
    result20: Mapped[int | None] = mapped_column(Integer, nullable=True)


POINTS = cast(Table, PointRow.__table__)
SUMMARIES = cast(Table, SummaryRow.__table__)
UPDATE_SUMMARY = (update(SUMMARIES)
                  .where((SUMMARIES.c.chat_key == bindparam("k_chat")) & (SUMMARIES.c.user_key == bindparam("k_user")))
                  .values({c.name: bindparam(c.name) for c in SUMMARIES.c if c.name not in ("chat_key", "user_key")}))


@dataclass(frozen=True, slots=True)
class Observation:
    """One shared portfolio on one trading day, as the daily job saw it."""

    chat_key: str
    user_key: str
    handle: str
    shared_at: datetime
    index: float  # the shared portfolio's value index that day
    benchmark: float | None  # the benchmark's close that day (None: missing)
    risk: RiskLevel | None


@dataclass(frozen=True, slots=True)
class Summary:
    """A member's record in one chat, as the leaderboard reads it."""

    chat_key: str
    user_key: str
    handle: str
    active: bool
    risk: RiskLevel | None
    first_day: date | None
    last_day: date | None
    level: float
    n: int
    sum_r: float
    sum_r2: float
    max_drawdown: float
    bench_level: float
    calls5: int
    hits5: int
    calls20: int
    hits20: int


@dataclass(frozen=True, slots=True)
class PendingCall:
    id: int
    symbol: str
    direction: int
    at: datetime
    graded5: bool


class RecordStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        Base.metadata.create_all(engine)

    # -- daily points -------------------------------------------------------------------------------------

    def record_day(self, day: date, observations: Sequence[Observation]) -> int:
        """Add ``day``'s points and fold them into the summaries, in one transaction; how many were added.

        Idempotent: a member whose record already has ``day`` (or a later day) is left alone, so a job that
        runs twice, or late after a restart, counts nothing twice."""
        if not observations:
            return 0
        with Session(self.engine) as session, session.begin():
            known = self._summaries(session, [(o.chat_key, o.user_key) for o in observations])
            points: list[dict[str, Any]] = []
            new: list[dict[str, Any]] = []
            changed: list[dict[str, Any]] = []
            for obs in observations:
                row = known.get((obs.chat_key, obs.user_key))
                if row is not None and row["last_day"] is not None and row["last_day"] >= day:
                    continue
                state = dict(row) if row is not None else _fresh(obs)
                _fold(state, day, obs)
                points.append({"chat_key": obs.chat_key, "user_key": obs.user_key, "day": day,
                               "level": state["level"]})
                (changed if row is not None else new).append(state)
                known[(obs.chat_key, obs.user_key)] = state  # a duplicate observation is then skipped
            # Core statements executed many (no ORM bookkeeping per row): 10,000 members take about a second.
            connection = session.connection()
            if points:
                connection.execute(insert(POINTS), points)
            if new:
                connection.execute(insert(SUMMARIES), new)
            if changed:
                connection.execute(UPDATE_SUMMARY, [{**state, "k_chat": state["chat_key"], "k_user": state["user_key"]}
                                                    for state in changed])
            return len(points)

    def deactivate_missing(self, sharing: Iterable[tuple[str, str]]) -> int:
        """Members no longer sharing (unshared, or their book was cleared) leave the leaderboard; their record
        stays. ``sharing``: every (chat, member) sharing now. How many left."""
        present = set(sharing)
        with Session(self.engine) as session, session.begin():
            active = session.execute(select(SummaryRow.chat_key, SummaryRow.user_key).where(SummaryRow.active)).all()
            gone = [{"chat_key": chat, "user_key": user, "active": False} for chat, user in active
                    if (chat, user) not in present]
            if gone:
                session.execute(update(SummaryRow), gone)  # bulk UPDATE by primary key
            return len(gone)

    def _summaries(self, session: Session, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        by_chat: dict[str, list[str]] = {}
        for chat, user in keys:
            by_chat.setdefault(chat, []).append(user)
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for chat, users in by_chat.items():
            for i in range(0, len(users), CHUNK):
                rows = session.execute(select(SummaryRow.__table__).where(
                    (SummaryRow.chat_key == chat) & SummaryRow.user_key.in_(users[i:i + CHUNK]))).mappings()
                found.update({(row["chat_key"], row["user_key"]): dict(row) for row in rows})
        return found

    def points(self, chat_key: str, user_key: str) -> list[tuple[date, float]]:
        with Session(self.engine) as session:
            return [(d, lvl) for d, lvl in session.execute(
                select(PointRow.day, PointRow.level).where((PointRow.chat_key == chat_key)
                                                           & (PointRow.user_key == user_key)).order_by(PointRow.day))]

    # -- reading ------------------------------------------------------------------------------------------

    def summaries(self, chat_key: str) -> list[Summary]:
        """The chat's records worth a look: members sharing now, and members with graded calls."""
        table = SummaryRow.__table__
        with Session(self.engine) as session:
            rows = session.execute(select(
                table.c.chat_key, table.c.user_key, table.c.handle, table.c.active, table.c.risk,
                table.c.first_day, table.c.last_day, table.c.level, table.c.n, table.c.sum_r, table.c.sum_r2,
                table.c.max_drawdown, table.c.bench_level, table.c.calls5, table.c.hits5, table.c.calls20,
                table.c.hits20).where((table.c.chat_key == chat_key)
                                      & (table.c.active | (table.c.calls5 > 0)))).all()
        return [Summary(r[0], r[1], r[2], bool(r[3]), stored_risk(r[4]), r[5], r[6], r[7], r[8], r[9], r[10], r[11],
                        r[12], r[13], r[14], r[15], r[16]) for r in rows]

    def has_chat(self, chat_key: str) -> bool:
        """Whether anything was ever recorded for the chat: a shared portfolio's day or a call."""
        with Session(self.engine) as session:
            return any(session.execute(select(table.c.chat_key).where(table.c.chat_key == chat_key).limit(1)).first()
                       for table in (SummaryRow.__table__, CallRow.__table__))

    # -- calls ----------------------------------------------------------------------------------------------

    def add_call(self, chat_key: str, user_key: str, handle: str, call: Call, at: datetime) -> bool:
        """Record a public call; False when it does not count: the same symbol again the same UTC day, or more
        than ``MAX_CALLS_PER_DAY`` calls that day (a member cannot buy a hit rate with volume)."""
        at = at.astimezone(UTC)
        start = datetime.combine(at.date(), datetime.min.time(), UTC)
        mine = (CallRow.chat_key == chat_key) & (CallRow.user_key == user_key)
        with Session(self.engine) as session, session.begin():
            today = session.execute(select(CallRow.symbol).where(
                mine & (CallRow.at >= start) & (CallRow.at < start + timedelta(days=1)))).scalars().all()
            if call.symbol in today or len(today) >= MAX_CALLS_PER_DAY:
                return False
            session.add(CallRow(chat_key=chat_key, user_key=user_key, symbol=call.symbol,
                                direction=call.direction, at=at))
            exists = session.get(SummaryRow, (chat_key, user_key))
            if exists is None:
                session.add(SummaryRow(chat_key=chat_key, user_key=user_key, handle=handle, active=False))
            elif handle and exists.handle != handle:
                exists.handle = handle
            return True

    def pending_calls(self) -> list[tuple[str, list[PendingCall]]]:
        """Calls not fully graded, by symbol (so the job asks market data once per symbol)."""
        by_symbol: dict[str, list[PendingCall]] = {}
        with Session(self.engine) as session:
            rows = session.execute(select(CallRow.id, CallRow.symbol, CallRow.direction, CallRow.at,
                                          CallRow.result5).where(CallRow.result20.is_(None)).order_by(CallRow.id))
            for id_, symbol, direction, at, result5 in rows:
                by_symbol.setdefault(symbol, []).append(PendingCall(id_, symbol, direction, as_utc(at),
                                                                    result5 is not None))
        return sorted(by_symbol.items())

    def grade(self, results: Sequence[tuple[int, int, bool]]) -> int:
        """Store grades: (call id, horizon 5 or 20, right?); each call's member's counters follow. How many."""
        done = 0
        with Session(self.engine) as session, session.begin():
            for call_id, horizon, right in results:
                row = session.get(CallRow, call_id)
                if row is None:
                    continue  # erased by /forget while the job ran
                column = "result5" if horizon == 5 else "result20"
                if getattr(row, column) is not None:
                    continue
                setattr(row, column, int(right))
                summary = session.get(SummaryRow, (row.chat_key, row.user_key))
                if summary is not None:
                    setattr(summary, f"calls{horizon}", getattr(summary, f"calls{horizon}") + 1)
                    setattr(summary, f"hits{horizon}", getattr(summary, f"hits{horizon}") + int(right))
                done += 1
        return done

    def drop_calls(self, ids: Sequence[int]) -> int:
        """Drop calls that can never be graded (market data never knew the symbol); how many."""
        if not ids:
            return 0
        with Session(self.engine) as session, session.begin():
            return int(session.execute(delete(CallRow).where(CallRow.id.in_(ids))).rowcount)  # type: ignore[attr-defined]

    # -- one member (/privacy, /forget) ------------------------------------------------------------------

    def member_counts(self, user_key: str) -> tuple[int, int, int]:
        """(records, daily points, calls) kept about a member, in every chat."""
        with Session(self.engine) as session:
            counts = [session.scalar(select(func.count()).select_from(table).where(table.user_key == user_key))
                      for table in (SummaryRow, PointRow, CallRow)]
        return counts[0] or 0, counts[1] or 0, counts[2] or 0

    def forget_member(self, user_key: str) -> int:
        erased = 0
        with Session(self.engine) as session, session.begin():
            for table in (SummaryRow, PointRow, CallRow):
                result = session.execute(delete(table).where(table.user_key == user_key))
                erased += int(result.rowcount)  # type: ignore[attr-defined]
        return erased


def _fresh(obs: Observation) -> dict[str, Any]:
    return {"chat_key": obs.chat_key, "user_key": obs.user_key, "handle": obs.handle, "active": True,
            "risk": obs.risk, "first_day": None, "last_day": None, "shared_at": None, "last_index": None,
            "level": 1.0, "n": 0, "sum_r": 0.0, "sum_r2": 0.0, "peak": 1.0, "max_drawdown": 0.0, "bench_last": None,
            "bench_level": 1.0, "calls5": 0, "hits5": 0, "calls20": 0, "hits20": 0}


def _fold(state: dict[str, Any], day: date, obs: Observation) -> None:
    """Fold one day's observation into a summary (in place)."""
    shared_at = obs.shared_at.astimezone(UTC)
    same_sharing = state["shared_at"] is not None and as_utc(state["shared_at"]) == shared_at
    if same_sharing and state["last_index"] and obs.index > 0:
        r = obs.index / state["last_index"] - 1.0
        state["level"] *= 1.0 + r
        state["n"] += 1
        state["sum_r"] += r
        state["sum_r2"] += r * r
        state["peak"] = max(state["peak"], state["level"])
        state["max_drawdown"] = max(state["max_drawdown"], 1.0 - state["level"] / state["peak"])
        if obs.benchmark and state["bench_last"]:
            state["bench_level"] *= obs.benchmark / state["bench_last"]
    if state["first_day"] is None:
        # The first point: the record starts where the shared index is (1.0 when shared that day), so the
        # return since sharing includes the days before the job first saw it; no daily return is known yet.
        state.update(first_day=day, level=obs.index, peak=max(1.0, obs.index),
                     max_drawdown=max(0.0, 1.0 - obs.index))
    state.update(last_day=day, shared_at=shared_at, last_index=obs.index, handle=obs.handle, active=True,
                 risk=obs.risk, bench_last=obs.benchmark or state["bench_last"])
