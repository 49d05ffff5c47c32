"""Opt-in portfolio sharing: which member shares what in which group, who follows whom, and when a change is
large enough to tell the followers.

What is stored is what the group was shown (symbols and weights) plus the prices the weights were published
at, which the value index needs (see ``advisor.community.types``). Never quantities, costs or money.

Change detection, the rule the follower notes rest on:
- a change is measured against the published weights *drifted* to today's prices (``Segment.drifted_weights``),
  so price moves alone never count as a change, only the member's own trades do;
- its size is the largest absolute weight change over every symbol in either portfolio (a symbol sold or
  bought outright counts its whole weight), in fractions (0.10 = 10 percentage points);
- the published weights move on (a new segment, carrying the index level over) when the change is above the
  smallest threshold anyone watching asked for (the default, or a follower's own); each follower is compared
  with what they were last told (their ``baseline``), so two small published changes that together pass a
  follower's threshold still reach them, and a follower is never told about weights that were not published.

Storage: SQLAlchemy tables in the app's engine (SQLite or PostgreSQL), created on open, keyed by the chat and
the member's ``user_key``; a share's followers go with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, String, Text, delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from advisor.community.types import Segment, SharedPortfolio, stored_risk
from advisor.db import as_utc
from advisor.types import RISK_LEVELS, RiskLevel

DEFAULT_THRESHOLD = 0.10  # 10 percentage points: a real rebalance, not a top-up
MIN_THRESHOLD, MAX_THRESHOLD = 0.01, 0.50  # what a follower may ask for (1 to 50 points)


class Base(DeclarativeBase):
    pass


class ShareRow(Base):
    __tablename__ = "shared_portfolios"

    chat_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_key: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    handle: Mapped[str] = mapped_column(String(256))  # as the group names them; matched case-insensitively
    handle_key: Mapped[str] = mapped_column(String(256), index=True)  # ``handle_key(handle)``
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    segment: Mapped[str] = mapped_column(Text)  # JSON, ``segment_to_json``
    risk: Mapped[str | None] = mapped_column(String(2), nullable=True)


class FollowRow(Base):
    __tablename__ = "portfolio_follows"

    chat_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    follower_key: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    sharer_key: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    threshold: Mapped[float] = mapped_column(Float)  # a fraction: 0.10 = 10 percentage points
    baseline: Mapped[str] = mapped_column(Text)  # JSON segment: the weights this follower was last told about
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Follow:
    chat_key: str
    follower_key: str
    sharer_key: str
    threshold: float  # a fraction
    baseline: Segment  # what the follower was last told (its level is not used)
    since: datetime


@dataclass(frozen=True)
class Change:
    """Weights before (drifted to today's prices) and after; ``size`` is the largest absolute difference."""

    before: dict[str, float]
    after: dict[str, float]

    @property
    def size(self) -> float:
        symbols = set(self.before) | set(self.after)
        return max((abs(self.after.get(s, 0.0) - self.before.get(s, 0.0)) for s in symbols), default=0.0)

    def moves(self, at_least: float = 0.0005) -> list[tuple[str, float, float]]:
        """(symbol, before, after) for every weight that moved (by more than rounding), largest move first."""
        symbols = set(self.before) | set(self.after)
        rows = [(s, self.before.get(s, 0.0), self.after.get(s, 0.0)) for s in symbols]
        rows = [row for row in rows if abs(row[2] - row[1]) >= at_least]
        return sorted(rows, key=lambda row: (-abs(row[2] - row[1]), row[0]))


def change_since(published: Segment, weights: Mapping[str, float], prices: Mapping[str, float]) -> Change | None:
    """How far ``weights`` (the member's book now) are from ``published`` after prices moved; None when a price
    the comparison needs is missing (then nothing can be said, and nothing is published)."""
    drifted = published.drifted_weights(prices)
    return None if drifted is None else Change(drifted, dict(weights))


def handle_key(handle: str) -> str:
    """How a typed handle is matched: without "@", case-insensitive, surrounding spaces ignored."""
    return handle.strip().lstrip("@").strip().casefold()


def riskier(risk: RiskLevel | None, limit: RiskLevel) -> bool:
    return risk is not None and RISK_LEVELS.index(risk) > RISK_LEVELS.index(limit)


def segment_to_json(segment: Segment) -> str:
    return json.dumps({"start": segment.start.isoformat(), "weights": dict(segment.weights),
                       "prices": dict(segment.prices), "level": segment.level}, sort_keys=True)


def segment_from_json(text: str) -> Segment:
    data: dict[str, Any] = json.loads(text)
    weights = {str(symbol): float(weight) for symbol, weight in data["weights"].items()}
    prices = {str(symbol): float(price) for symbol, price in data["prices"].items()}
    return Segment(as_utc(datetime.fromisoformat(data["start"])), weights, prices, float(data["level"]))


def _shared(row: ShareRow) -> SharedPortfolio:
    return SharedPortfolio(row.chat_key, row.user_key, row.handle, as_utc(row.shared_at),
                           segment_from_json(row.segment), stored_risk(row.risk))


def _follow(row: FollowRow) -> Follow:
    return Follow(row.chat_key, row.follower_key, row.sharer_key, row.threshold, segment_from_json(row.baseline),
                  as_utc(row.since))


class ShareStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        Base.metadata.create_all(engine)

    # -- shares -------------------------------------------------------------------------------------------

    def share(self, portfolio: SharedPortfolio) -> None:
        """Publish (or replace) the member's portfolio in the chat."""
        with Session(self.engine) as session, session.begin():
            session.merge(ShareRow(chat_key=portfolio.chat_key, user_key=portfolio.user_key, handle=portfolio.handle,
                                   handle_key=handle_key(portfolio.handle), shared_at=portfolio.shared_at,
                                   segment=segment_to_json(portfolio.segment), risk=portfolio.risk))

    def republish(self, chat_key: str, user_key: str, segment: Segment, risk: RiskLevel | None) -> bool:
        """New weights from the member's trades (a new segment); False when the share is gone meanwhile."""
        with Session(self.engine) as session, session.begin():
            result = session.execute(update(ShareRow).where(
                (ShareRow.chat_key == chat_key) & (ShareRow.user_key == user_key)).values(
                segment=segment_to_json(segment), risk=risk))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def shared(self, chat_key: str, user_key: str) -> SharedPortfolio | None:
        with Session(self.engine) as session:
            row = session.get(ShareRow, (chat_key, user_key))
            return None if row is None else _shared(row)

    def find(self, chat_key: str, handle: str) -> SharedPortfolio | None:
        """The portfolio shared in the chat under ``handle`` ("@Alice", "alice" and "ALICE" alike)."""
        with Session(self.engine) as session:
            row = session.scalars(select(ShareRow).where(
                (ShareRow.chat_key == chat_key) & (ShareRow.handle_key == handle_key(handle)))
                .order_by(ShareRow.shared_at)).first()
            return None if row is None else _shared(row)

    def shares_of(self, user_key: str) -> list[SharedPortfolio]:
        """Every chat the member shares their portfolio with."""
        with Session(self.engine) as session:
            rows = session.scalars(select(ShareRow).where(ShareRow.user_key == user_key)
                                   .order_by(ShareRow.chat_key)).all()
            return [_shared(row) for row in rows]

    def all_shared(self) -> Iterator[SharedPortfolio]:
        """Every shared portfolio (for the daily track-record job), read in pages so memory stays flat."""
        last: tuple[str, str] = ("", "")
        while True:
            with Session(self.engine) as session:
                rows = session.scalars(select(ShareRow).where(
                    (ShareRow.chat_key > last[0]) | ((ShareRow.chat_key == last[0]) & (ShareRow.user_key > last[1])))
                    .order_by(ShareRow.chat_key, ShareRow.user_key).limit(500)).all()
                page = [_shared(row) for row in rows]
            yield from page
            if len(page) < 500:
                return
            last = (page[-1].chat_key, page[-1].user_key)

    def unshare(self, chat_key: str, user_key: str) -> list[Follow] | None:
        """Remove the share and its follows at once; the follows that went (to tell them), None if not shared."""
        with Session(self.engine) as session, session.begin():
            row = session.get(ShareRow, (chat_key, user_key))
            if row is None:
                return None
            gone = session.scalars(select(FollowRow).where(
                (FollowRow.chat_key == chat_key) & (FollowRow.sharer_key == user_key))).all()
            follows = [_follow(follow) for follow in gone]
            session.execute(delete(FollowRow).where(
                (FollowRow.chat_key == chat_key) & (FollowRow.sharer_key == user_key)))
            session.delete(row)
            return follows

    # -- follows ------------------------------------------------------------------------------------------

    def follow(self, follow: Follow) -> bool:
        """Start (or re-set) following; True when the member already followed (their threshold is replaced)."""
        with Session(self.engine) as session, session.begin():
            had = session.get(FollowRow, (follow.chat_key, follow.follower_key, follow.sharer_key)) is not None
            session.merge(FollowRow(chat_key=follow.chat_key, follower_key=follow.follower_key,
                                    sharer_key=follow.sharer_key, threshold=follow.threshold,
                                    baseline=segment_to_json(follow.baseline), since=follow.since))
            return had

    def unfollow(self, chat_key: str, follower_key: str, sharer_key: str) -> bool:
        with Session(self.engine) as session, session.begin():
            result = session.execute(delete(FollowRow).where(
                (FollowRow.chat_key == chat_key) & (FollowRow.follower_key == follower_key)
                & (FollowRow.sharer_key == sharer_key)))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def told(self, follows: Sequence[Follow], baseline: Segment) -> None:
        """These followers (of one share) were told about ``baseline``: later changes are measured from it. One
        statement per 500 followers, in one transaction."""
        if not follows:
            return
        chat_key, sharer_key = follows[0].chat_key, follows[0].sharer_key
        text = segment_to_json(baseline)
        with Session(self.engine) as session, session.begin():
            for start in range(0, len(follows), 500):
                keys = [f.follower_key for f in follows[start:start + 500]]
                session.execute(update(FollowRow).where(
                    (FollowRow.chat_key == chat_key) & (FollowRow.sharer_key == sharer_key)
                    & FollowRow.follower_key.in_(keys)).values(baseline=text))

    def followers(self, chat_key: str, sharer_key: str) -> list[Follow]:
        with Session(self.engine) as session:
            rows = session.scalars(select(FollowRow).where(
                (FollowRow.chat_key == chat_key) & (FollowRow.sharer_key == sharer_key))
                .order_by(FollowRow.since, FollowRow.follower_key)).all()
            return [_follow(row) for row in rows]

    def following(self, follower_key: str, chat_key: str | None = None) -> list[Follow]:
        where = FollowRow.follower_key == follower_key
        if chat_key is not None:
            where = where & (FollowRow.chat_key == chat_key)
        with Session(self.engine) as session:
            rows = session.scalars(select(FollowRow).where(where).order_by(FollowRow.since)).all()
            return [_follow(row) for row in rows]

    # -- one member's data (/privacy, /forget) ------------------------------------------------------------

    def counts(self, user_key: str) -> tuple[int, int, int]:
        """(chats the member shares with, portfolios they follow, members following theirs)."""
        with Session(self.engine) as session:
            shares = session.scalar(select(func.count()).select_from(ShareRow).where(ShareRow.user_key == user_key))
            follows = session.scalar(select(func.count()).select_from(FollowRow)
                                     .where(FollowRow.follower_key == user_key))
            followed = session.scalar(select(func.count()).select_from(FollowRow)
                                      .where(FollowRow.sharer_key == user_key))
            return int(shares or 0), int(follows or 0), int(followed or 0)

    def erase(self, user_key: str) -> int:
        """/forget: the member's shares (with the follows on them) and their own follows; how many rows."""
        with Session(self.engine) as session, session.begin():
            follows = session.execute(delete(FollowRow).where(
                (FollowRow.follower_key == user_key) | (FollowRow.sharer_key == user_key)))
            shares = session.execute(delete(ShareRow).where(ShareRow.user_key == user_key))
            return int(follows.rowcount) + int(shares.rowcount)  # type: ignore[attr-defined]

    def move(self, old_key: str, new_key: str) -> None:
        """A chat got a new id (a Telegram group became a supergroup): its shares and follows follow it."""
        with Session(self.engine) as session, session.begin():
            session.execute(update(ShareRow).where(ShareRow.chat_key == old_key).values(chat_key=new_key))
            session.execute(update(FollowRow).where(FollowRow.chat_key == old_key).values(chat_key=new_key))

    def removed(self, chat_key: str) -> None:
        """The bot left the chat: nothing is shared there any more."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(FollowRow).where(FollowRow.chat_key == chat_key))
            session.execute(delete(ShareRow).where(ShareRow.chat_key == chat_key))
