"""`roundtable report CHAT` as a community manager runs it, on a week the real chat path recorded: members chatting,
asking, breaking a rule, and the chat's scheduled briefings (tests/bots/app/reportchat.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import text
from typer.testing import CliRunner

from advisor.db import app_engine
from advisor.mood.model import SentimentModel
from bots.app.cli import app
from bots.app.settings import Settings
from knowledge.retrieval import Retriever
from tests.bots.app.reportchat import CHAT, GROUP, ZONE, open_week, play_week

runner = CliRunner()
WEEK = ("--since", "2026-11-16", "--until", "2026-11-22")  # Monday to Sunday, Hong Kong time


def roundtable(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def report_json(*args: str) -> dict[str, Any]:
    result = roundtable("report", GROUP, *args, "--json")
    assert result.exit_code == 0, result.output
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel.load()


@pytest.fixture
def week(home: Path, notes_retriever: Callable[[str], Retriever], model: SentimentModel) -> None:
    """The chat has a briefing in Hong Kong time (set as an operator does), then its week is played."""
    assert roundtable("brief", "set", GROUP, "--tz", ZONE).exit_code == 0
    play_week(open_week(notes_retriever, model))


@pytest.mark.usefixtures("week")
def test_the_week_in_json_counts_questions_moderation_mood_briefings_and_hours() -> None:
    report = report_json(*WEEK)
    assert (report["chat"], report["timezone"], report["timezone_source"]) == (CHAT, ZONE, "briefing")
    # Whole local days: Monday 00:00 to Monday 00:00 in Hong Kong is 16:00 UTC the Sunday before.
    assert (report["since"], report["until"], report["empty"]) == ("2026-11-15T16:00:00Z", "2026-11-22T16:00:00Z",
                                                                  False)
    assert report["questions"] == {"total": 3, "by_intent": {"education": 2, "personal_advice": 1},
                                   "by_risk": {"R1": 0, "R2": 2, "R3": 0, "R4": 1, "R5": 0}, "refused": 1,
                                   "abstained": 0}
    assert report["moderation"] == {"total": 1, "by_category": {"promissory": 1}, "by_action": {"warn": 1}}
    assert report["briefings"] == {"sent": 2, "failed": 1, "skipped": 0, "dates": ["2026-11-17", "2026-11-18"]}
    # 8 calm messages Monday 09:00, 6 panicky ones and the promise Wednesday 21:00 (local); next Monday's is out.
    hours = report["hours"]
    assert hours["timezone"] == ZONE and hours["messages"][9] == 8 and hours["messages"][21] == 7
    assert sum(hours["messages"]) == 15 and hours["busiest"] == [9, 21]
    mood = report["mood"]
    assert (mood["bucket"], mood["messages"]) == ("day", 15)
    assert [day["start"][:10] for day in mood["series"]] == [f"2026-11-{d}" for d in range(16, 23)]
    monday, tuesday, wednesday = mood["series"][:3]
    assert monday["messages"] == 8 and monday["mood_index"] > 20 and monday["fear"] == 0  # calm and upbeat
    assert tuesday == {"start": "2026-11-17T00:00:00+08:00", "messages": 0, "mood_index": None, "bullish": 0,
                       "bearish": 0, "neutral": 0, "fear": 0}  # a gap, not a zero
    assert wednesday["messages"] == 7 and wednesday["mood_index"] < 0 and wednesday["fear"] >= 5
    assert mood["fear_share"] == round(wednesday["fear"] / 15, 3)


@pytest.mark.usefixtures("week")
def test_the_week_for_humans_is_tables_with_the_zone_said() -> None:
    result = roundtable("report", CHAT, *WEEK)
    assert result.exit_code == 0, result.output
    lines = result.stdout
    assert f"{CHAT}  Mon 16 Nov 2026 00:00 to Mon 23 Nov 2026 00:00 {ZONE} (its briefing time zone)" in lines
    assert "Questions 3 (refused 1, abstained 0) · flagged messages 1 · messages 15 · briefings sent 2 (failed 1)" \
        in lines
    assert "personal_advice │ 1" in lines and "promissory │ 1" in lines
    assert f"Busiest hours ({ZONE}): 09:00 (8), 21:00 (7)" in lines


@pytest.mark.usefixtures("week")
def test_by_default_the_report_covers_the_seven_days_before_now() -> None:
    with time_machine.travel(datetime(2026, 11, 19, 12, 0, tzinfo=UTC), tick=False):
        report = report_json()
    assert (report["since"], report["until"]) == ("2026-11-12T12:00:00Z", "2026-11-19T12:00:00Z")
    assert report["questions"]["total"] == 3 and report["mood"]["messages"] == 15
    assert len(report["mood"]["series"]) == 8  # parts of 8 local days: Thu 12 20:00 to Thu 19 20:00


@pytest.mark.usefixtures("week")
def test_a_quiet_week_of_a_known_chat_says_no_activity() -> None:
    result = roundtable("report", GROUP, "--since", "2026-12-01", "--until", "2026-12-07")
    assert result.exit_code == 0 and "No activity in this window" in result.stdout
    report = report_json("--since", "2026-12-01", "--until", "2026-12-07")
    assert report["empty"] is True and report["questions"]["total"] == 0 and report["moderation"]["total"] == 0
    assert [day["messages"] for day in report["mood"]["series"]] == [0] * 7
    assert report["mood"]["mood_index"] is None and report["hours"]["busiest"] == []


@pytest.mark.usefixtures("week")
def test_an_unknown_chat_is_an_error_naming_the_chats_that_have_activity() -> None:
    result = roundtable("report", "-1009999")
    assert result.exit_code == 1
    assert "Nothing was ever recorded about telegram:-1009999" in result.stderr and CHAT in result.stderr


@pytest.mark.usefixtures("home")
def test_on_a_fresh_install_every_chat_is_unknown() -> None:
    result = roundtable("report", "discord:123456")
    assert result.exit_code == 1 and "Nothing was ever recorded about discord:123456" in result.stderr


@pytest.mark.usefixtures("week")
@pytest.mark.parametrize(("args", "says"), [
    (("--since", "2026-11-22", "--until", "2026-11-16"), "--since (2026-11-22T00:00:00+08:00) must come before"),
    (("--since", "last week"), "'last week' is not a date"),
    (("--until", "2026-13-01"), "'2026-13-01' is not a date"),
])
def test_bad_dates_are_refused_with_exit_1(args: tuple[str, ...], says: str) -> None:
    result = roundtable("report", GROUP, *args)
    assert result.exit_code == 1 and says in result.stderr, result.output


@pytest.mark.usefixtures("home")
def test_a_chat_id_that_is_not_one_is_refused() -> None:
    result = roundtable("report", "discord:general")
    assert result.exit_code == 1 and "'general' is not a discord chat id" in result.stderr


@pytest.mark.usefixtures("week")
def test_the_activity_table_holds_counts_and_never_words() -> None:
    engine = app_engine(Settings().sqlalchemy_url)
    with engine.connect() as conn:
        stored = " ".join(str(cell) for row in conn.execute(text("SELECT * FROM chat_activity")) for cell in row)
    assert CHAT in stored
    for word in ("AAPL", "panicking", "guaranteed", "Member"):
        assert word not in stored
