"""`roundtable leaderboard CHAT` on records the daily job built: the same ranking as /leaderboard, as JSON or text."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from advisor.community.keeper import RecordKeeper
from advisor.community.leaderboard import DISCLAIMER, MIN_DAYS
from advisor.community.records import RecordStore
from advisor.db import app_engine
from bots.app.cli import app
from bots.app.settings import Settings
from tests.advisor.community.records_fakes import FakeShares, after_close, fake_close, market, weekdays

runner = CliRunner()
DAYS = weekdays(MIN_DAYS + 5)


def build_records() -> None:
    settings = Settings()
    settings.home.mkdir(parents=True, exist_ok=True)  # as the app does at start-up
    store = RecordStore(app_engine(settings.sqlalchemy_url))
    shares = FakeShares()
    shares.share("telegram:-1001", "telegram:1", "@calm", {"CALM": 1.0}, {"CALM": 100.0}, after_close(DAYS[0]),
                 risk="R2")
    shares.share("telegram:-1001", "telegram:2", "@wild", {"WILD": 1.0}, {"WILD": 100.0}, after_close(DAYS[0]),
                 risk="R5")
    calm = [100 * 1.001 ** i * (1 + 0.002 * (i % 2)) for i in range(len(DAYS))]
    wild = [100 * (1 + 0.08 * (i % 2)) * 1.001 ** i for i in range(len(DAYS))]
    calm[0] = wild[0] = 100.0
    keeper = RecordKeeper(store, shares, market({"CALM": calm, "WILD": wild, "SPY": [50.0] * len(DAYS)}),
                          closes_at=fake_close)
    for day in DAYS:
        keeper.run(after_close(day))


def test_leaderboard_json_ranks_the_steadier_record_first(home: Path) -> None:
    build_records()
    result = runner.invoke(app, ["leaderboard", "-1001", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    board = json.loads(result.stdout)
    assert [(e["rank"], e["handle"], e["risk"]) for e in board["ranked"]] == [(1, "@calm", "R2"), (2, "@wild", "R5")]
    assert board["ranked"][0]["days"] == len(DAYS) - 1 and board["ranked"][0]["benchmark_return"] == 0.0
    assert board["disclaimer"] == DISCLAIMER and board["excluded_flagged"] == 0


def test_leaderboard_text_names_the_method_and_the_disclaimer(home: Path) -> None:
    build_records()
    result = runner.invoke(app, ["leaderboard", "telegram:-1001"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "1. @calm · risk R2" in result.stdout and "Sharpe ratio" in result.stdout
    assert "Past performance does not guarantee" in result.stdout


def test_a_chat_without_any_record_is_an_error_not_an_empty_board(home: Path) -> None:
    result = runner.invoke(app, ["leaderboard", "-42", "--json"], catch_exceptions=False)
    assert result.exit_code == 1 and "No track records in telegram:-42 yet" in result.output
    assert "{" not in result.stdout  # no JSON for a chat that does not exist (a mistyped id, most likely)
