"""`roundtable run` as a real process: Telegram via the local fake Bot API server, start to stop."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.bots.telegram.fake_telegram import FakeTelegram
from tests.bots.telegram.test_telegram import private_message


def start(home: Path, **env: str) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ROUNDTABLE_")}
    environment.update(ROUNDTABLE_HOME=str(home), **env)
    return subprocess.Popen([sys.executable, "-m", "bots", "run"], env=environment, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_run_serves_telegram_until_interrupted(fake: FakeTelegram, warm_home: Path) -> None:
    process = start(warm_home, ROUNDTABLE_TELEGRAM_TOKEN=fake.token, ROUNDTABLE_TELEGRAM_API_URL=fake.url)
    try:
        fake.push(private_message("What is dollar-cost averaging?"))
        (sent,) = fake.wait_for("sendMessage", timeout=60)
        assert "dollar-cost-averaging.md" in sent["text"]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    # Two jobs: the per-minute reconcile of briefing jobs (no chat has subscribed yet) and the daily track records.
    assert "Roundtable ready in" in stderr and "(Telegram; 2 scheduled job(s), next at" in stderr
    with sqlite3.connect(warm_home / "roundtable.db") as db:  # the scheduler's persistent job store
        tables = {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}
    assert {"scheduled_jobs", "investor_profiles", "chat_settings"} <= tables


def test_run_with_a_bad_token_exits_with_a_clear_message(fake: FakeTelegram, warm_home: Path) -> None:
    process = start(warm_home, ROUNDTABLE_TELEGRAM_TOKEN="42:definitely-not-the-token-this-server-knows",
                    ROUNDTABLE_TELEGRAM_API_URL=fake.url)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "Telegram rejected ROUNDTABLE_TELEGRAM_TOKEN" in stderr and "Traceback" not in stderr


def test_run_schedules_the_briefings_operators_set(warm_home: Path) -> None:
    environment = {**os.environ, "ROUNDTABLE_HOME": str(warm_home)}
    for chat in ("console:group", "telegram:-1001234567890"):
        subprocess.run([sys.executable, "-m", "bots", "brief", "set", chat, "--time", "07:45"], env=environment,
                       check=True, capture_output=True)
    process = start(warm_home)
    _, stderr = process.communicate("/quit\n", timeout=60)
    assert process.returncode == 0, stderr
    assert "(terminal chat, no bot token set; 4 scheduled job(s)" in stderr  # two chats, reconcile, records
    with sqlite3.connect(warm_home / "roundtable.db") as db:
        jobs = sorted(row[0] for row in db.execute("select id from scheduled_jobs"))
    assert jobs == ["briefing:console:group", "briefing:telegram:-1001234567890", "briefings:reconcile",
                    "records:daily"]


def test_run_without_a_token_is_the_terminal_chat(warm_home: Path) -> None:
    started = time.monotonic()
    process = start(warm_home)
    stdout, stderr = process.communicate("/ask what is an emergency fund?\n/quit\n", timeout=60)
    assert process.returncode == 0, stderr
    assert "Roundtable ready in" in stderr and "emergency-funds.md" in stdout
    assert time.monotonic() - started < 60
