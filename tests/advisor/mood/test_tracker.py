"""A chat's rolling mood: the index over a synthetic stream, top symbols, and panic on a falling busy stream."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from advisor.mood.symbols import mentioned_symbols
from advisor.mood.tracker import MoodTracker
from advisor.mood.types import Sentiment

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
BULL = Sentiment("bullish", 0.8, False)
BEAR = Sentiment("bearish", -0.8, False)
FEAR = Sentiment("bearish", -0.9, True)
CALM = Sentiment("neutral", 0.0, False)


def test_mentioned_symbols_are_yahoo_spellings_in_order() -> None:
    assert mentioned_symbols("$aapl and 腾讯股价, 700.hk") == ("AAPL", "0700.HK")
    assert mentioned_symbols("茅台 and TSLA, shel.l") == ("600519.SS", "TSLA", "SHEL.L")
    assert mentioned_symbols("I like apple pie, e.g. this") == ()


def test_the_mood_index_follows_a_synthetic_stream() -> None:
    tracker = MoodTracker(window=timedelta(hours=1), bucket=timedelta(minutes=15))
    for minute in range(30):
        tracker.observe("g", "$NVDA", T0 + timedelta(minutes=minute), BULL)
    for minute in range(30, 60):
        tracker.observe("g", "$NVDA and $AMD", T0 + timedelta(minutes=minute), BEAR if minute % 2 else CALM)
    mood = tracker.mood("g", T0 + timedelta(minutes=59))
    assert mood.messages == 60 and (mood.bullish, mood.bearish, mood.neutral) == (30, 15, 15)
    assert round(mood.mood_index) == round(100 * (30 * 0.8 - 15 * 0.8) / 60)  # +20
    assert mood.trend < 0  # the last quarter hour is bearish next to what came before
    assert [(s.symbol, s.mentions) for s in mood.top_symbols] == [("NVDA", 60), ("AMD", 30)]
    assert [p.messages for p in mood.series] == [15, 15, 15, 15]  # (start, start + 15 min]
    assert mood.series[0].mood_index == pytest.approx(80.0) and mood.series[-1].mood_index is not None
    assert mood.summary_json()["mood_index"] == round(mood.mood_index, 1)
    # An hour later the window is empty again; a chat never seen is empty too.
    assert tracker.mood("g", T0 + timedelta(hours=3)).messages == 0
    assert tracker.mood("other", T0).mood_index == 0.0


def busy_then_crashing(tracker: MoodTracker, chat: str) -> datetime:
    """Two calm, mildly bullish hours (a message every 10 min), then 20 fearful messages in 10 minutes."""
    at = T0
    for _ in range(12):
        tracker.observe(chat, "steady", at, BULL)
        at += timedelta(minutes=10)
    for _ in range(20):
        tracker.observe(chat, "get out now", at, FEAR)
        at += timedelta(seconds=30)
    return at


def test_panic_on_a_falling_busy_stream_once_per_cooldown() -> None:
    tracker = MoodTracker(nudge_cooldown=timedelta(hours=1))
    now = busy_then_crashing(tracker, "g")
    assert tracker.mood("g", now).panicking
    assert tracker.panic("g", now)
    assert not tracker.panic("g", now + timedelta(minutes=1))  # rate-limited: one reminder per cooldown
    assert tracker.mood("g", now + timedelta(minutes=1)).panicking  # ... though the condition still holds


def test_no_panic_on_a_calm_stream_or_a_quiet_bearish_one() -> None:
    tracker = MoodTracker()
    at = T0
    for i in range(60):  # busy but steady
        tracker.observe("calm", "chat", at, CALM if i % 2 else BULL)
        at += timedelta(minutes=1)
    assert not tracker.panic("calm", at)
    for i in range(5):  # bearish but only five messages
        tracker.observe("quiet", "meh", T0 + timedelta(minutes=i), FEAR)
    assert not tracker.panic("quiet", T0 + timedelta(minutes=5))


def test_bounded_and_thread_safe() -> None:
    tracker = MoodTracker(max_chats=3, max_messages=50)
    for chat in "abcd":
        tracker.observe(chat, "x", T0, CALM)
    assert tracker.chats() == ["b", "c", "d"]  # the least recently active chat is forgotten

    def feed() -> None:
        for i in range(200):
            tracker.observe("d", "x", T0 + timedelta(seconds=i), BULL)

    threads = [threading.Thread(target=feed) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert tracker.mood("d", T0 + timedelta(seconds=200)).messages == 50


def test_observe_classifies_when_no_sentiment_is_given() -> None:
    tracker = MoodTracker()
    tracker.observe("g", "暴跌了，爆仓了，好慌", T0)
    mood = tracker.mood("g", T0)
    assert mood.bearish == 1 and mood.fear_share == 1.0 and mood.mood_index < 0
