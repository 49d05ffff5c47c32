"""Per-chat settings (language, corpus collection, answering mentions, quota), persisted with SQLAlchemy, and
the operator's approvals of research collections (only approved collections can be chosen by a chat)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Boolean, DateTime, Integer, String, create_engine, delete, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from advisor.types import Language


@dataclass(frozen=True)
class ChatSettings:
    chat_key: str
    language: Language | None = None  # None: answer in each question's own language
    collection: str | None = None  # None: the default collection
    answer_mentions: bool = True
    quota_per_hour: int = 20

    def describe(self) -> str:
        return (f"language: {self.language or 'auto'}\ncollection: {self.collection or 'default'}\n"
                f"answer mentions: {'on' if self.answer_mentions else 'off'}\n"
                f"questions per member per hour: {self.quota_per_hour}")


class Base(DeclarativeBase):
    pass


class ChatSettingsRow(Base):
    __tablename__ = "chat_settings"

    chat_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    collection: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answer_mentions: Mapped[bool] = mapped_column(Boolean, default=True)
    quota_per_hour: Mapped[int] = mapped_column(Integer, default=20)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


READ_SETTINGS = text("SELECT language, collection, answer_mentions, quota_per_hour FROM chat_settings "
                     "WHERE chat_key = :chat_key").columns(language=String, collection=String, answer_mentions=Boolean,
                                                           quota_per_hour=Integer)  # typed: SQLite has no booleans


class ChatSettingsStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        Base.metadata.create_all(engine)

    @classmethod
    def open(cls, url: str) -> ChatSettingsStore:
        return cls(create_engine(url))

    def get(self, chat_key: str) -> ChatSettings:
        with self.engine.connect() as connection:  # read on every addressed message: one precompiled statement
            row = connection.execute(READ_SETTINGS, {"chat_key": chat_key}).first()
        if row is None:
            return ChatSettings(chat_key)
        language: Language | None = "zh" if row.language == "zh" else "en" if row.language == "en" else None
        return ChatSettings(chat_key, language, row.collection, row.answer_mentions, row.quota_per_hour)

    def save(self, settings: ChatSettings) -> None:
        with Session(self.engine) as session, session.begin():
            session.merge(ChatSettingsRow(chat_key=settings.chat_key, language=settings.language,
                                          collection=settings.collection, answer_mentions=settings.answer_mentions,
                                          quota_per_hour=settings.quota_per_hour, updated_at=datetime.now(UTC)))

    def move(self, old_key: str, new_key: str) -> None:
        """A group became a supergroup with a new id: its settings follow it."""
        settings = self.get(old_key)
        self.save(replace(settings, chat_key=new_key))
        self.delete(old_key)

    def delete(self, chat_key: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(ChatSettingsRow).where(ChatSettingsRow.chat_key == chat_key))


class ApprovalRow(Base):
    __tablename__ = "approved_collections"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[str] = mapped_column(String(64))  # the contents approved; a later ingest lapses it
    sentences: Mapped[int] = mapped_column(Integer)
    blocked: Mapped[int] = mapped_column(Integer)
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Approval:
    name: str
    revision: str
    sentences: int
    blocked: int
    approved_at: datetime


class ApprovalStore:
    """Which collections an operator approved, and at which revision of their contents."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        Base.metadata.create_all(engine)

    def approve(self, name: str, revision: str, sentences: int, blocked: int) -> Approval:
        approval = Approval(name, revision, sentences, blocked, datetime.now(UTC))
        with Session(self.engine) as session, session.begin():
            session.merge(ApprovalRow(name=name, revision=revision, sentences=sentences, blocked=blocked,
                                      approved_at=approval.approved_at))
        return approval

    def get(self, name: str) -> Approval | None:
        with Session(self.engine) as session:
            row = session.get(ApprovalRow, name)
            return Approval(row.name, row.revision, row.sentences, row.blocked, row.approved_at) if row else None

    def all(self) -> dict[str, Approval]:
        with Session(self.engine) as session:
            return {row.name: Approval(row.name, row.revision, row.sentences, row.blocked, row.approved_at)
                    for row in session.scalars(select(ApprovalRow))}

    def revoke(self, name: str) -> bool:
        with Session(self.engine) as session, session.begin():
            return bool(session.execute(delete(ApprovalRow).where(ApprovalRow.name == name)).rowcount)  # type: ignore[attr-defined]


class CollectionCatalog(Protocol):
    """Which research collections chats may use: the router's view of the operator's approvals."""

    def approved(self) -> list[str]: ...
    def is_approved(self, name: str) -> bool: ...


class ApprovedCollections:
    """Approvals that still match the collection's contents: an ingest after approval lapses it."""

    def __init__(self, store: ApprovalStore, revision_of: Callable[[str], str | None]) -> None:
        self.store = store
        self.revision_of = revision_of  # None: the collection no longer exists

    def approved(self) -> list[str]:
        return sorted(name for name, approval in self.store.all().items()
                      if self.revision_of(name) == approval.revision)

    def is_approved(self, name: str) -> bool:
        """One row and one revision read: this runs on every question in a chat with its own collection."""
        approval = self.store.get(name)
        return approval is not None and self.revision_of(name) == approval.revision


@dataclass
class FixedCollections:
    """A ``CollectionCatalog`` over a fixed set of names: for tests and single-collection setups."""

    names: set[str]

    def approved(self) -> list[str]:
        return sorted(self.names)

    def is_approved(self, name: str) -> bool:
        return name in self.names
