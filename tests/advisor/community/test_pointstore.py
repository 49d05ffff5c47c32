"""The points store on SQLite and PostgreSQL: post authors, marks (one per member per post), quizzes, names, and
erasing one member."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from advisor.community.points import Mark
from advisor.community.pointstore import POSTS_KEPT, PointsStore
from advisor.db import app_engine

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CHAT = "telegram:-100"


def test_authors_marks_quizzes_and_forgetting(database_url: str) -> None:
    engine = app_engine(database_url)
    store = PointsStore(engine)
    store.posted(CHAT, "10", "telegram:1", "@ann", AT)
    store.posted(CHAT, "10", "telegram:1", "@ann", AT)  # the same post seen twice is one row
    assert store.author(CHAT, "10", AT) == ("telegram:1", "@ann")  # from memory, before any write
    other = PointsStore(engine)  # another instance reads what the first one flushed
    store.flush()
    assert other.author(CHAT, "10", AT + timedelta(hours=1)) == ("telegram:1", "@ann")
    assert other.author(CHAT, "10", AT + POSTS_KEPT + timedelta(hours=1)) is None  # too old to credit
    assert other.author(CHAT, "11", AT) is None

    assert store.mark(CHAT, Mark("telegram:2", "telegram:1", "10", AT))
    assert not store.mark(CHAT, Mark("telegram:2", "telegram:1", "10", AT + timedelta(minutes=1)))  # same post
    assert not store.mark(CHAT, Mark("telegram:1", "telegram:1", "12", AT))  # a self-mark is never stored
    assert store.mark(CHAT, Mark("telegram:1", "telegram:2", "20", AT, new_giver=True))
    store.quiz_completed(CHAT, "telegram:1", AT)
    store.name(CHAT, "telegram:1", "@ann")
    assert sorted(m.giver for m in store.marks(CHAT)) == ["telegram:1", "telegram:2"]
    assert [m.new_giver for m in store.marks(CHAT) if m.giver == "telegram:1"] == [True]
    assert store.marks(CHAT)[0].at.tzinfo is not None
    assert store.quizzes(CHAT) == [("telegram:1", AT)]
    assert store.names(CHAT) == {"telegram:1": "@ann"}
    assert store.has_chat(CHAT) and not store.has_chat("telegram:-200") and store.chats() == [CHAT]

    held = store.member("telegram:1")
    assert (held.posts, held.given, held.received, held.quizzes, held.chats) == (1, 1, 1, 1, 1)
    assert store.forget("telegram:1") == 5  # the post, both marks (given and received), the quiz, the name
    assert store.marks(CHAT) == [] and store.names(CHAT) == {} and store.author(CHAT, "10", AT) is None
    assert store.member("telegram:2").received == 0  # the mark ann gave is gone with her


def test_forget_drops_buffered_authors_too(tmp_path: object) -> None:
    store = PointsStore(app_engine("sqlite://"))
    store.posted(CHAT, "1", "telegram:9", "Zed", AT)
    assert store.forget("telegram:9") == 1
    store.flush()
    assert store.author(CHAT, "1", AT) is None
