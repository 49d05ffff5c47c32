"""Per-chat settings (language, corpus collection, answering mentions, quota), persisted with SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, Integer, String, create_engine, delete
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


class ChatSettingsStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        Base.metadata.create_all(engine)

    @classmethod
    def open(cls, url: str) -> ChatSettingsStore:
        return cls(create_engine(url))

    def get(self, chat_key: str) -> ChatSettings:
        with Session(self.engine) as session:
            row = session.get(ChatSettingsRow, chat_key)
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
