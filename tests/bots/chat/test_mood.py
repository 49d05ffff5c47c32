"""A group's mood as transcripts: every message is observed with the shipped sentiment model, /mood describes the
chat with a chart and says it is not a signal, and a panic spike brings exactly one calm reminder."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.mood.model import SentimentModel
from advisor.mood.tracker import MoodTracker
from advisor.profiles import SqlProfileStore
from bots.chat.messages import Incoming, Outgoing
from bots.chat.mood import PANIC, MoodCommands
from bots.chat.router import Router
from bots.chat.settings import ChatSettings, ChatSettingsStore, FixedCollections
from knowledge.retrieval import Retriever

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CALM = ["$AAPL earnings beat expectations, strong quarter", "Nice steady gains on AAPL today",
        "TSLA deliveries up, good news for the stock", "Holding my index fund, feeling fine about it",
        "Interesting read on bond ladders", "AAPL services revenue keeps growing"]
PANIC_TEXTS = ["I'm panicking, AAPL is crashing, I'm losing everything",
               "Market crash!! sell everything now, so scared",
               "This is a disaster, my portfolio is wiped out, terrified", "爆仓了，亏光了，好慌",
               "Everything is collapsing, I can't sleep, huge losses", "Panic selling everywhere, AAPL plunging hard"]


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel.load()


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path, model: SentimentModel) -> Router:
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
    chat_settings = ChatSettingsStore(profiles.engine)
    mood = MoodCommands(MoodTracker(model=model), model, lambda key: chat_settings.get(key).language)
    return Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles, chat_settings,
                  FixedCollections({"research"}), mood=mood)


def say(router: Router, text: str, at: datetime, *, user: str = "5", chat: str = "-100",
        kind: str = "group") -> list[Outgoing]:
    return router.handle(Incoming("telegram", chat, kind, user, f"Member {user}", text,  # type: ignore[arg-type]
                                  received_at=at))


def test_mood_after_a_stream_shows_the_index_top_symbols_and_a_chart(router: Router) -> None:
    assert "haven't seen enough messages" in say(router, "/mood", T0)[0].text
    for n, text in enumerate(itertools.islice(itertools.cycle(CALM), 60)):
        assert say(router, text, T0 + timedelta(minutes=2 * n), user=str(n % 7)) == []  # chatter: observed only
    (mood,) = say(router, "/mood", T0 + timedelta(hours=2))
    assert "**Mood of this chat**: +" in mood.text  # a cheerful stream reads bullish
    assert "60 messages" in mood.text and "most mentioned: AAPL (" in mood.text and "TSLA" in mood.text
    assert "not a signal" in mood.text
    assert mood.image is not None and mood.image.startswith(b"\x89PNG")


def test_a_panic_spike_posts_exactly_one_calm_reminder(router: Router) -> None:
    reminders: list[Outgoing] = []
    for n, text in enumerate(itertools.islice(itertools.cycle(CALM), 40)):
        reminders += say(router, text, T0 + timedelta(minutes=3 * n), user=str(n % 9))
    assert reminders == []
    start = T0 + timedelta(minutes=120)
    for n, text in enumerate(itertools.islice(itertools.cycle(PANIC_TEXTS), 90)):
        reminders += say(router, text, start + timedelta(seconds=10 * n), user=str(n % 11))
    (reminder,) = reminders
    assert reminder.text == PANIC["en"] and not reminder.reply
    assert "diversified" in reminder.text and "not investment advice" in reminder.text


def test_the_reminder_speaks_the_chats_language(router: Router) -> None:
    router.chat_settings.save(ChatSettings("telegram:-200", language="zh"))
    reminders: list[Outgoing] = []
    for n, text in enumerate(itertools.islice(itertools.cycle(CALM), 40)):
        reminders += say(router, text, T0 + timedelta(minutes=3 * n), chat="-200", user=str(n % 9))
    for n, text in enumerate(itertools.islice(itertools.cycle(PANIC_TEXTS), 90)):
        reminders += say(router, text, T0 + timedelta(minutes=120, seconds=10 * n), chat="-200", user=str(n % 11))
    assert [r.text for r in reminders] == [PANIC["zh"]]


def test_private_chats_are_not_counted(router: Router) -> None:
    say(router, "AAPL is crashing, I'm terrified", T0, kind="private", chat="5")
    assert router.mood is not None
    assert router.mood.tracker.mood("telegram:5", T0).messages == 0
    assert "in groups" in say(router, "/mood", T0, kind="private", chat="5")[0].text
