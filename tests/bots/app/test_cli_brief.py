"""`roundtable brief ...` end to end: operators subscribe chats (Telegram's negative ids as they are), preview a
briefing as JSON, and send what is due, in-process and as two racing processes on one database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from typer.testing import CliRunner

from advisor.briefing.store import SqlBriefingStore
from bots.app.cli import app

runner = CliRunner()
# Thursday 12 April 2018, 08:45 in New York: the morning after the offline sample's last close (AAPL 172.44).
DUE = "2018-04-12T12:45:00+00:00"
PREVIEW_KEYS = {"chat", "local_date", "market", "indices", "watchlist", "spotlight", "risk", "disclaimer", "text"}
LINE_KEYS = {"symbol", "price", "change_pct", "as_of", "source"}


def roundtable(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


def subscriptions() -> list[dict[str, object]]:
    result = roundtable("brief", "list", "--json")
    assert result.exit_code == 0, result.output
    listed: list[dict[str, object]] = json.loads(result.stdout)["subscriptions"]
    return listed


@pytest.fixture
def warm(warm_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory whose research notes are already indexed: previews and runs need no ingest."""
    monkeypatch.setenv("ROUNDTABLE_HOME", str(warm_home))
    return warm_home


def test_set_takes_a_telegram_group_id_as_it_is(home: Path) -> None:
    result = roundtable("brief", "set", "-1001234567890", "--time", "07:45")
    assert result.exit_code == 0, result.output
    assert "telegram:-1001234567890" in result.stdout and "briefing: on, 07:45 America/New_York" in result.stdout
    # Options may come first; a full key and --platform name chats on other platforms.
    assert roundtable("brief", "set", "--tz", "Asia/Shanghai", "--market", "cn", "-1001234567890").exit_code == 0
    assert roundtable("brief", "set", "discord:123456", "--watch", "aapl,700.hk", "--days", "daily").exit_code == 0
    assert roundtable("brief", "set", "group", "--platform", "console", "--chart").exit_code == 0
    assert subscriptions() == [
        {"chat": "console:group", "enabled": True, "time": "08:30", "timezone": "America/New_York",
         "days": "mon-fri", "market": "US", "watchlist": [], "chart": True},
        {"chat": "discord:123456", "enabled": True, "time": "08:30", "timezone": "America/New_York",
         "days": "daily", "market": "US", "watchlist": ["AAPL", "0700.HK"], "chart": False},
        {"chat": "telegram:-1001234567890", "enabled": True, "time": "07:45", "timezone": "Asia/Shanghai",
         "days": "mon-fri", "market": "CN", "watchlist": [], "chart": False},
    ]


@pytest.mark.parametrize(("args", "complaint"), [
    (["-100", "--time", "25:00"], "'25:00' is not a time of day"),
    (["-100", "--tz", "Mars/Olympus"], "'Mars/Olympus' is not a time zone I know"),
    (["-100", "--market", "XX"], "I don't know the market 'XX'"),
    (["-100", "--days", "someday"], "'someday' is not a set of days"),
    (["-100", "--watch", "AAPL,<b>"], "Nothing changed:"),
    (["-100", "--watch", ",".join(f"S{n}" for n in range(21))], "A watchlist holds at most 20 symbols"),
    (["discord:-5"], "'-5' is not a discord chat id"),
    (["telegram:-100", "--platform", "discord"], "is a telegram chat, but --platform says discord"),
    (["-100", "--platform", "slack"], "Unknown platform 'slack'"),
])
def test_bad_input_is_one_line_exit_1_and_saves_nothing(home: Path, args: list[str], complaint: str) -> None:
    result = roundtable("brief", "set", *args)
    assert result.exit_code == 1
    assert complaint in result.output and len(result.output.strip().splitlines()) == 1
    assert subscriptions() == []


def test_off_keeps_the_settings_and_set_turns_it_back_on(home: Path) -> None:
    roundtable("brief", "set", "-100", "--time", "06:00", "--watch", "AAPL")
    result = roundtable("brief", "off", "-100")
    assert result.exit_code == 0 and "telegram:-100: briefing off." in result.stdout
    assert "(it already was)" in roundtable("brief", "off", "telegram:-100").stdout
    assert subscriptions() == []  # the list shows the chats whose briefing is on
    roundtable("brief", "set", "-100")
    [sub] = subscriptions()
    assert (sub["time"], sub["watchlist"]) == ("06:00", ["AAPL"])
    missing = roundtable("brief", "off", "-42")
    assert missing.exit_code == 1 and "telegram:-42 has no briefing" in missing.output


def test_preview_json_is_the_contract(warm: Path) -> None:
    roundtable("brief", "set", "-100", "--watch", "AAPL,MSFT")
    result = roundtable("brief", "preview", "-100", "--json", "--now", DUE)
    assert result.exit_code == 0, result.output
    preview = json.loads(result.stdout)
    assert set(preview) >= PREVIEW_KEYS
    assert (preview["chat"], preview["local_date"], preview["market"]) == ("telegram:-100", "2018-04-12", "US")
    assert [line["symbol"] for line in preview["indices"]] == ["^GSPC", "^IXIC", "^DJI"]
    aapl, msft = preview["watchlist"]
    assert all(set(line) >= LINE_KEYS for line in [*preview["indices"], aapl, msft])
    assert (aapl["symbol"], aapl["price"], aapl["source"]) == ("AAPL", 172.44, "offline sample")
    assert aapl["as_of"].startswith("2018-04-11T16:00") and round(aapl["change_pct"], 4) == -0.0047
    assert msft["price"] is None and msft["change_pct"] is None  # not in the sample: unavailable, never 0
    assert set(preview["spotlight"]) >= {"text", "citations"} and preview["spotlight"]["citations"]
    assert "Not investment advice" in preview["disclaimer"] and preview["risk"]
    assert "**AAPL** 172.44 USD" in preview["text"]  # the one message, light markup
    assert SqlBriefingStore(create_engine(f"sqlite:///{warm / 'roundtable.db'}")).sends() == []  # nothing sent


def test_preview_of_a_chat_without_a_briefing_shows_the_defaults(warm: Path) -> None:
    result = roundtable("brief", "preview", "console:group", "--now", "2018-04-12T09:00")  # naive = UTC
    assert result.exit_code == 0, result.output
    assert "console:group has no briefing; previewing the defaults." in result.stderr
    assert "US stocks briefing · 2018-04-12" in result.stdout


def test_a_bad_now_is_exit_1(home: Path) -> None:
    result = roundtable("brief", "preview", "-100", "--now", "tomorrow")
    assert result.exit_code == 1 and "--now 'tomorrow' is not an ISO 8601 time" in result.output


def test_run_due_sends_each_due_chat_once_and_prints_one_line_per_chat(warm: Path) -> None:
    roundtable("brief", "set", "console:a", "--watch", "AAPL")
    roundtable("brief", "set", "console:b", "--time", "08:40")
    roundtable("brief", "set", "console:later", "--time", "09:30")  # not due at 08:45
    roundtable("brief", "set", "-100")  # no Telegram token here: said, not failed
    result = roundtable("brief", "run-due", "--now", DUE)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if re.match(r"^\S+:\S+  ", line)]
    assert lines == ["console:a  sent  (2018-04-12, US)", "console:b  sent  (2018-04-12, US)",
                     "telegram:-100  no sender  (2018-04-12, US; no telegram sender configured)"]
    assert result.stdout.count("US stocks briefing · 2018-04-12") == 2  # the console chats' briefings, printed
    again = roundtable("brief", "run-due", "--now", "2018-04-12T12:50:00Z")
    assert "console:a  already sent  (2018-04-12, US)" in again.stdout and "briefing ·" not in again.stdout
    assert "No briefing is due" in roundtable("brief", "run-due", "--now", "2018-04-12T14:30:00Z").stderr


def test_run_due_skips_exchange_holidays(warm: Path) -> None:
    roundtable("brief", "set", "console:a")
    result = roundtable("brief", "run-due", "--now", "2018-03-30T12:45:00Z")  # Good Friday: NYSE closed
    assert result.exit_code == 0 and "console:a  holiday  (2018-03-30, US; market closed)" in result.stdout


def test_two_run_due_processes_on_one_database_send_each_chat_once(warm: Path, database_url: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUNDTABLE_DATABASE_URL", database_url)
    chats = [f"console:chat{n}" for n in range(8)]
    for chat in chats:
        assert roundtable("brief", "set", chat, "--watch", "AAPL,XOM").exit_code == 0
    environment = {**os.environ, "ROUNDTABLE_HOME": str(warm), "ROUNDTABLE_DATABASE_URL": database_url,
                   "ROUNDTABLE_MARKET_DATA": "offline"}
    processes = [subprocess.Popen([sys.executable, "-m", "bots", "brief", "run-due", "--now", DUE], env=environment,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
    lines = [line for stdout, _ in outputs for line in stdout.splitlines() if line.startswith("console:chat")]
    sent = sorted(line.split()[0] for line in lines if "  sent  " in line)
    assert sent == chats  # between them, every chat exactly once
    assert sorted(line.split()[0] for line in lines if "  already sent  " in line) == chats  # the other one saw it
    assert sum(stdout.count("US stocks briefing · 2018-04-12") for stdout, _ in outputs) == len(chats)
    ledger = SqlBriefingStore(create_engine(database_url)).sends()
    assert sorted((chat, day.isoformat(), status, attempts) for chat, day, status, attempts in ledger) == [
        (chat, "2018-04-12", "sent", 1) for chat in chats]
