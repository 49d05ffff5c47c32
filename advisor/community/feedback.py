"""Members' 👍/👎 on the advisor's answers, persisted: one vote per member per answer (the latest wins), with an
optional reason for a 👎. The manager report counts them (``advisor.report.summary.count_feedback``).

An answer is named by a short reference (``answer_ref``: 16 hex digits of a hash, so a button's data stays far
below Telegram's 64 bytes) and stored with what a compliance officer or manager needs, never its text: the
question's SHA-256 (as in the audit log's answer entry), intent, risk level and the group it was given in (none
for a private chat, whose id is the member's own).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import DateTime, String, delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from advisor.report.summary import FeedbackVote

Vote = Literal["up", "down"]
# Why an answer did not help (a 👎's optional reason): the reason's key (stored, and in button data) -> label.
REASONS: dict[str, str] = {
    "wrong": "wrong or out of date",
    "unclear": "unclear",
    "offtopic": "off-topic",
    "notuseful": "not useful",
}


def answer_ref(chat_key: str, user_key: str, question: str, at: datetime) -> str:
    """A reference to one answer: the same question asked twice gets two references (and two sets of votes)."""
    seed = "\x1f".join((chat_key, user_key, question, at.astimezone(UTC).isoformat()))
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:16]


class Base(DeclarativeBase):
    pass


class AnswerRow(Base):
    __tablename__ = "fb_answers"

    ref: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_key: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)  # None: a private chat
    question_sha256: Mapped[str] = mapped_column(String(64))
    intent: Mapped[str] = mapped_column(String(32))
    risk: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VoteRow(Base):
    __tablename__ = "fb_votes"

    ref: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_key: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    chat_key: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    vote: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(16), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


@dataclass(frozen=True)
class AnswerInfo:
    ref: str
    chat_key: str | None
    question_sha256: str
    intent: str
    risk: str


class FeedbackStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        Base.metadata.create_all(engine)

    def answered(self, info: AnswerInfo, at: datetime) -> None:
        """An answer was given with feedback buttons: remember what it was about (never its text)."""
        with Session(self.engine) as session, session.begin():
            session.merge(AnswerRow(ref=info.ref, chat_key=info.chat_key, question_sha256=info.question_sha256,
                                    intent=info.intent, risk=info.risk, at=at.astimezone(UTC)))

    def answer(self, ref: str) -> AnswerInfo | None:
        with Session(self.engine) as session:
            row = session.get(AnswerRow, ref)
            return None if row is None else AnswerInfo(row.ref, row.chat_key, row.question_sha256, row.intent,
                                                       row.risk)

    def vote(self, ref: str, user_key: str, vote: Vote, at: datetime) -> AnswerInfo | None:
        """Record the member's vote on an answer (replacing their earlier one, and its reason); None when the
        answer is unknown (nothing is stored)."""
        info = self.answer(ref)
        if info is None:
            return None
        with Session(self.engine) as session, session.begin():
            session.merge(VoteRow(ref=ref, user_key=user_key, chat_key=info.chat_key, vote=vote, reason="",
                                  at=at.astimezone(UTC)))
        return info

    def reason(self, ref: str, user_key: str, reason: str) -> AnswerInfo | None:
        """Add a reason to the member's 👎; None (nothing stored) when they have no 👎 on that answer or the
        reason is not one of ``REASONS``."""
        if reason not in REASONS:
            return None
        with Session(self.engine) as session, session.begin():
            row = session.get(VoteRow, (ref, user_key))
            if row is None or row.vote != "down":
                return None
            row.reason = reason
        return self.answer(ref)

    def votes(self, chat_key: str, since: datetime, until: datetime) -> Iterator[FeedbackVote]:
        """The current votes on the chat's answers cast in [since, until), for the manager report."""
        query = (select(VoteRow.vote, VoteRow.reason, AnswerRow.intent, AnswerRow.risk)
                 .join(AnswerRow, AnswerRow.ref == VoteRow.ref)
                 .where(VoteRow.chat_key == chat_key, VoteRow.at >= since.astimezone(UTC),
                        VoteRow.at < until.astimezone(UTC)))
        with self.engine.connect() as connection:
            for vote, reason, intent, risk in connection.execute(query):
                yield FeedbackVote(str(vote), str(reason or ""), str(intent), str(risk))

    def has_chat(self, chat_key: str) -> bool:
        with self.engine.connect() as connection:
            return bool(connection.scalar(select(func.count()).select_from(VoteRow)
                                          .where(VoteRow.chat_key == chat_key)))

    def member(self, user_key: str) -> int:
        """How many votes the member has cast (for /privacy)."""
        with self.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(VoteRow)
                                         .where(VoteRow.user_key == user_key)) or 0)

    def forget(self, user_key: str) -> int:
        """Erase the member's votes (the answers' references stay: they hold nobody's data)."""
        with self.engine.begin() as connection:
            return int(connection.execute(delete(VoteRow).where(VoteRow.user_key == user_key)).rowcount)
