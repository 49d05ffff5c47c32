"""Quiz state that must outlive the process: questions asked and waiting for an answer, each member's answers, and
the member's consent to let quiz results count in their risk profile. SQLAlchemy on the app's engine (SQLite or
PostgreSQL), so several bot instances agree on who may press which button.

A member's rows are keyed by ``user_key`` ("platform:user_id"). The only name kept is the asker's display name on
a waiting question, because the group sees it ("this quiz is Ann's"); it goes when the question is answered,
expires or the member sends /forget.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from advisor.db import as_utc


class Base(DeclarativeBase):
    pass


class PendingRow(Base):
    __tablename__ = "quiz_pending"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat_key: Mapped[str] = mapped_column(String(128))
    user_key: Mapped[str] = mapped_column(String(128), index=True)
    asker: Mapped[str] = mapped_column(String(128))  # display name, shown to the group
    question_id: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)  # 0-based place of this question in its round
    right_so_far: Mapped[int] = mapped_column(Integer)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnswerRow(Base):
    __tablename__ = "quiz_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_key: Mapped[str] = mapped_column(String(128), index=True)
    question_id: Mapped[str] = mapped_column(String(32))
    doc_id: Mapped[str] = mapped_column(String(256))  # the cited note: the "topic" of the progress
    correct: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConsentRow(Base):
    __tablename__ = "quiz_consent"

    user_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Pending:
    id: int
    chat_key: str
    user_key: str
    asker: str
    question_id: str
    topic: str
    position: int
    right_so_far: int
    asked_at: datetime


@dataclass(frozen=True)
class Progress:
    """A member's quiz record: answers given, how many right, and per note (doc id) how many right."""

    answered: int
    correct: int
    right_by_note: dict[str, int]
    asked_ids: frozenset[str]


class QuizStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        Base.metadata.create_all(engine)

    def ask(self, chat_key: str, user_key: str, asker: str, question_id: str, topic: str, position: int,
            right_so_far: int, at: datetime) -> int:
        """A question is waiting for ``user_key``'s answer; the id goes into the buttons. A member has at most one
        waiting question per chat: asking again replaces it."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(PendingRow).where(PendingRow.chat_key == chat_key,
                                                     PendingRow.user_key == user_key))
            row = PendingRow(chat_key=chat_key, user_key=user_key, asker=asker[:128], question_id=question_id,
                             topic=topic[:64], position=position, right_so_far=right_so_far, asked_at=at)
            session.add(row)
            session.flush()
            return row.id

    def pending(self, pending_id: int) -> Pending | None:
        with Session(self.engine) as session:
            row = session.get(PendingRow, pending_id)
            if row is None:
                return None
            return Pending(row.id, row.chat_key, row.user_key, row.asker, row.question_id, row.topic, row.position,
                           row.right_so_far, as_utc(row.asked_at))

    def answer(self, pending: Pending, doc_id: str, correct: bool, at: datetime) -> bool:
        """Record the answer and close the waiting question, in one step: False (nothing recorded) when it was
        answered already (a double click, another instance) or erased by /forget meanwhile."""
        with Session(self.engine) as session, session.begin():
            gone = session.execute(delete(PendingRow).where(PendingRow.id == pending.id))
            if not gone.rowcount:  # type: ignore[attr-defined]
                return False
            session.add(AnswerRow(user_key=pending.user_key, question_id=pending.question_id, doc_id=doc_id,
                                  correct=correct, answered_at=at))
            return True

    def drop(self, pending_id: int) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(PendingRow).where(PendingRow.id == pending_id))

    def progress(self, user_key: str) -> Progress:
        with Session(self.engine) as session:
            rows = session.execute(select(AnswerRow.question_id, AnswerRow.doc_id, AnswerRow.correct)
                                   .where(AnswerRow.user_key == user_key)).all()
        right = Counter(doc for _, doc, correct in rows if correct)
        return Progress(len(rows), sum(right.values()), dict(right), frozenset(q for q, _, _ in rows))

    def consent(self, user_key: str, given: bool, at: datetime) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(ConsentRow).where(ConsentRow.user_key == user_key))
            if given:
                session.add(ConsentRow(user_key=user_key, given_at=at))

    def consented(self, user_key: str) -> bool:
        with Session(self.engine) as session:
            return session.get(ConsentRow, user_key) is not None

    def waiting(self, user_key: str) -> int:
        """How many questions wait for the member's answer (any chat), for /privacy."""
        with Session(self.engine) as session:
            return len(session.scalars(select(PendingRow.id).where(PendingRow.user_key == user_key)).all())

    def erase(self, user_key: str) -> int:
        """/forget: the member's answers, waiting questions and consent. Returns how many rows went."""
        with Session(self.engine) as session, session.begin():
            total = 0
            for table in (AnswerRow, PendingRow, ConsentRow):
                result = session.execute(delete(table).where(table.user_key == user_key))
                total += result.rowcount  # type: ignore[attr-defined]
            return int(total)
