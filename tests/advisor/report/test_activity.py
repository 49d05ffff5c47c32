"""The hourly activity counts as the chat writes them: group messages go through MoodCommands (the shipped
sentiment model), the recorder buffers, and a flush (timed, or at close) adds them to a SQLite file."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from advisor.db import app_engine
from advisor.mood.model import SentimentModel
from advisor.mood.tracker import MoodTracker
from advisor.report.activity import ActivityRecorder, hour_of, read_activity
from bots.chat.messages import Incoming
from bots.chat.mood import MoodCommands

CHAT = "telegram:-100"
T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
DAY = (T0 - timedelta(hours=9), T0 + timedelta(hours=15))


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel.load()


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return app_engine(f"sqlite:///{tmp_path / 'rt.db'}")


def chatting(recorder: ActivityRecorder, model: SentimentModel) -> MoodCommands:
    return MoodCommands(MoodTracker(model=model), model, lambda _: "en", recorder)


def post(mood: MoodCommands, text: str, at: datetime, chat: str = "-100", edited: bool = False) -> None:
    mood.observe(Incoming("telegram", chat, "group", "7", "Member", text, received_at=at, edited=edited))


def test_messages_are_counted_per_hour_with_their_sentiment_once_flushed(engine: Engine,
                                                                        model: SentimentModel) -> None:
    recorder = ActivityRecorder(engine)
    mood = chatting(recorder, model)
    post(mood, "Great quarter, $AAPL earnings beat, very bullish", T0 + timedelta(minutes=5))
    post(mood, "I'm panicking, my portfolio is crashing, losing everything", T0 + timedelta(minutes=50))
    post(mood, "Interesting read on bond ladders", T0 + timedelta(hours=1, minutes=1))
    post(mood, "/mood", T0 + timedelta(minutes=6))  # a command is not chatter
    post(mood, "Great quarter, edited", T0 + timedelta(minutes=7), edited=True)  # the same message again
    assert read_activity(engine, CHAT, *DAY) == []  # buffered: nothing written yet
    assert recorder.pending() == 2
    recorder.flush()
    nine, ten = read_activity(engine, CHAT, *DAY)
    assert (nine.start, nine.messages, nine.bullish, nine.bearish + nine.neutral, nine.fear) == (T0, 2, 1, 1, 1)
    expected = model.classify("Great quarter, $AAPL earnings beat, very bullish").score + model.classify(
        "I'm panicking, my portfolio is crashing, losing everything").score
    assert nine.sentiment_sum == pytest.approx(expected)
    assert (ten.start, ten.messages, ten.fear) == (T0 + timedelta(hours=1), 1, 0)
    assert recorder.pending() == 0


def test_two_instances_on_one_database_add_up(database_url: str, model: SentimentModel) -> None:
    """Two bots on one database (SQLite file, then PostgreSQL) count the same chat and hour, and write at the same
    moments from their threads: each write adds, so nothing is lost or counted twice."""
    engine = app_engine(database_url)
    instances = [ActivityRecorder(engine), ActivityRecorder(engine)]
    ready = threading.Barrier(2)

    def chat(recorder: ActivityRecorder, n: int) -> None:
        mood = chatting(recorder, model)
        for i in range(n):
            post(mood, f"Holding my index fund, message {i}", T0 + timedelta(seconds=i))
            if i % 50 == 49:
                ready.wait(timeout=30)  # both instances write together
                recorder.flush()
        recorder.flush()

    threads = [threading.Thread(target=chat, args=(recorder, 300)) for recorder in instances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    instances[0].flush()  # nothing left: writes nothing, and adds nothing twice
    (hour,) = read_activity(engine, CHAT, *DAY)
    assert hour.messages == 600 and hour.bullish + hour.bearish + hour.neutral == 600


def test_the_writer_flushes_by_itself_and_close_writes_the_rest(engine: Engine, model: SentimentModel) -> None:
    recorder = ActivityRecorder(engine, flush_every=0.05)
    mood = chatting(recorder, model)
    post(mood, "Calm day on the markets", T0)
    deadline = time.monotonic() + 10
    while not read_activity(engine, CHAT, *DAY) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [h.messages for h in read_activity(engine, CHAT, *DAY)] == [1]
    recorder.flush_every = 3600.0  # the next write is close()'s
    post(mood, "Another calm message", T0 + timedelta(minutes=1))
    recorder.close()
    assert [h.messages for h in read_activity(engine, CHAT, *DAY)] == [2]
    assert recorder._thread is not None and not recorder._thread.is_alive()


def test_a_failed_write_keeps_the_counts_for_the_next_one(engine: Engine, model: SentimentModel) -> None:
    recorder = ActivityRecorder(engine)
    mood = chatting(recorder, model)
    post(mood, "Calm day on the markets", T0)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE chat_activity RENAME TO chat_activity_away"))
    with pytest.raises(Exception, match="chat_activity"):
        recorder.flush()
    post(mood, "Still calm", T0 + timedelta(minutes=2))
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE chat_activity_away RENAME TO chat_activity"))
    recorder.flush()
    assert [h.messages for h in read_activity(engine, CHAT, *DAY)] == [2]


def test_only_counts_are_stored_never_text_or_members(engine: Engine, model: SentimentModel) -> None:
    recorder = ActivityRecorder(engine)
    post(chatting(recorder, model), "Secret plan: buy $TSLA at the open", T0)
    recorder.flush()
    with engine.connect() as conn:
        (row,) = conn.execute(text("SELECT * FROM chat_activity")).all()
    assert set(row._mapping) == {"chat_key", "hour", "messages", "bullish", "bearish", "neutral", "fear",
                                 "sentiment_sum"}
    assert row.chat_key == CHAT and row.hour == hour_of(T0) and row.messages == 1


def test_a_window_takes_whole_hours_and_other_chats_stay_apart(engine: Engine, model: SentimentModel) -> None:
    recorder = ActivityRecorder(engine)
    mood = chatting(recorder, model)
    post(mood, "Calm", T0 + timedelta(minutes=10))
    post(mood, "Calm elsewhere", T0 + timedelta(minutes=10), chat="-200")
    post(mood, "Later", T0 + timedelta(hours=3))
    recorder.flush()
    inside = read_activity(engine, CHAT, T0 + timedelta(minutes=30), T0 + timedelta(hours=2, minutes=1))
    assert [(h.start, h.messages) for h in inside] == [(T0, 1)]  # 09:00-10:00 overlaps; 12:00 is past the end
    assert [h.start for h in read_activity(engine, "telegram:-200", *DAY)] == [T0]
