"""`roundtable points CHAT` as an operator runs it on a chat whose members marked each other's posts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from advisor.community.points import Mark
from advisor.community.pointstore import PointsStore
from advisor.db import app_engine
from bots.app.cli import app
from bots.app.settings import Settings
from bots.chat.modstore import LogEntry, ModerationStore

runner = CliRunner()
CHAT = "telegram:-100"
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def seed() -> None:
    settings = Settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = app_engine(settings.sqlalchemy_url)
    store = PointsStore(engine)
    for n, giver in enumerate(("telegram:2", "telegram:3", "telegram:4")):
        store.mark(CHAT, Mark(giver, "telegram:1", f"p{n}", AT + timedelta(minutes=n)))
    store.mark(CHAT, Mark("telegram:9", "telegram:2", "q1", AT, new_giver=True))
    store.quiz_completed(CHAT, "telegram:2", AT)
    store.name(CHAT, "telegram:1", "@ann")
    moderation = ModerationStore(engine)
    moderation.record(LogEntry(CHAT, "telegram:5", "warn", "bot", "m1", ("promissory",), AT))
    moderation.flush()


def test_points_json_lists_members_by_points_with_what_they_come_from(home: Path) -> None:
    seed()
    result = runner.invoke(app, ["points", "-100", "--json"], catch_exceptions=False)  # a bare Telegram id
    assert result.exit_code == 0, result.output
    members = json.loads(result.stdout)["members"]
    assert members == [
        {"rank": 1, "user": "telegram:1", "name": "@ann", "points": 30.0, "marks": 3, "discounted": 0,
         "quizzes": 0, "strikes": 0, "capped": 0.0},
        {"rank": 2, "user": "telegram:2", "name": "", "points": 7.0, "marks": 0, "discounted": 1, "quizzes": 1,
         "strikes": 0, "capped": 0.0},
        {"rank": 3, "user": "telegram:5", "name": "", "points": 0.0, "marks": 0, "discounted": 0, "quizzes": 0,
         "strikes": 1, "capped": 0.0}]
    table = runner.invoke(app, ["points", CHAT], catch_exceptions=False)
    assert table.exit_code == 0 and "@ann" in table.stdout and "small circles" in table.stdout


def test_a_chat_without_points_is_an_error_naming_those_with_some(home: Path) -> None:
    seed()
    result = runner.invoke(app, ["points", "telegram:-200"])
    assert result.exit_code == 1
    assert "No helpful marks or quizzes were ever recorded in telegram:-200" in result.output
    assert "Chats with points: telegram:-100" in result.output
