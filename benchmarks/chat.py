"""Chat benchmark: the Telegram path without the network, `roundtable run` start-up, `roundtable --help`.

    python benchmarks/chat.py

The Telegram path is what the bot does between receiving a getUpdates answer and calling sendMessage:
the getUpdates body (real Bot API JSON, built from tests/fixtures/telegram_updates.json) goes through the
front-end's getUpdates request class (which checks every update), PTB's ``Update.de_list``, the front-end's
translation to ``Incoming``, ``Router.handle`` and, for answers, Telegram HTML rendering and splitting.

1. Group chatter the bot only observes (real Telegram group lines, ../shared/data/moderation), in batches
   of 100 as getUpdates returns them: messages per second on one core.
2. /ask commands (FiQA and TAT-QA dev questions) the same way, minus the advisor's own time for the same
   call (measured inside it): p50/p95 overhead in ms.
3. `roundtable run` (no token: the terminal chat) on a warm store: the "ready in" it prints (from process
   start, embedding model loaded) and the wall time around the process. Best of 3.
4. `roundtable --help` (as `python -m bots --help`): wall time, median of 5.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import CACHE, ROOT, dev_questions, percentile, read_jsonl, shared_data
from cryptography.fernet import Fernet
from telegram import Update

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from advisor.types import Answer, Question
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from bots.telegram.render import answer_html, split_message
from bots.telegram.translate import BotIdentity, incoming
from bots.telegram.updates import TolerantUpdatesRequest
from knowledge.research import Research

ME = BotIdentity(7000001, "RoundtableBenchBot")
SAMPLES = json.loads((ROOT / "tests" / "fixtures" / "telegram_updates.json").read_text())["payloads"]
BATCH = 100  # getUpdates returns at most 100 updates


class TimedAdvisor(Advisor):
    """The real advisor, remembering how long its last answer took."""

    last = 0.0

    def answer(self, question: Question, collection: str | None = None) -> Answer:
        started = time.perf_counter()
        try:
            return super().answer(question, collection)
        finally:
            TimedAdvisor.last = time.perf_counter() - started


def group_update(update_id: int, text: str, user: int) -> dict[str, Any]:
    """A real Telegram message payload, moved into a supergroup, with the entities Telegram would mark."""
    update = copy.deepcopy(SAMPLES["message"])
    message = update["message"]
    message.update(text=text, message_id=update_id, chat={"id": -1001160242915, "title": "Investors",
                                                          "type": "supergroup"})
    message["from"]["id"] = user
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    update["update_id"] = update_id
    return update


def get_updates_body(updates: list[dict[str, Any]]) -> bytes:
    return json.dumps({"ok": True, "result": updates}).encode()


def telegram_path(body: bytes, router: Router) -> list[str]:
    """One getUpdates answer through the bot, up to the HTML it would send."""
    sent = []
    for update in Update.de_list(TolerantUpdatesRequest.parse_json_payload(body)["result"], None):
        msg = incoming(update.message, ME) if update.message else None
        if msg is None:
            continue
        for reply in router.handle(msg):
            sent += split_message(answer_html(reply.answer)) if reply.answer else [reply.text]
    return sent


def chatter(router: Router) -> None:
    lines = [row["text"] for row in read_jsonl(shared_data("moderation", "tg_spam_dev.jsonl"))]
    updates = [group_update(i, lines[i % len(lines)], 100 + i % 50) for i in range(20000)]
    bodies = [get_updates_body(updates[i:i + BATCH]) for i in range(0, len(updates), BATCH)]
    started = time.perf_counter()
    replies = sum(len(telegram_path(body, router)) for body in bodies)
    rate = len(updates) / (time.perf_counter() - started)
    assert replies == 0, "group chatter must only be observed"
    started = time.perf_counter()
    for body in bodies:
        TolerantUpdatesRequest.parse_json_payload(body)
    check = (time.perf_counter() - started) / len(updates) * 1e6
    messages = [incoming(update.message, ME) for update in Update.de_list(updates, None)]
    started = time.perf_counter()
    for message in messages:
        assert message is not None and not router.handle(message)
    alone = len(messages) / (time.perf_counter() - started)
    print(f"group chatter observed, Telegram path (getUpdates body, unreadable-update check, PTB parse, "
          f"translate, route): {rate:,.0f} messages/s; the check costs {check:.0f} us per update")
    print(f"group chatter observed, router alone: {alone:,.0f} messages/s (target >= 5,000)")


def ask_overhead(router: Router) -> None:
    overhead = []
    for i, question in enumerate(dev_questions(seed=3)[:300]):
        body = get_updates_body([group_update(i, f"/ask {question}", 1000 + i)])  # one member each: no quota
        TimedAdvisor.last = -1.0
        started = time.perf_counter()
        sent = telegram_path(body, router)
        overhead.append((time.perf_counter() - started - TimedAdvisor.last) * 1000)
        assert sent and TimedAdvisor.last >= 0, question
    print(f"Telegram path overhead on /ask beyond the advisor (parse, translate, route, render): "
          f"p50 {percentile(overhead, 50):.2f} ms, p95 {percentile(overhead, 95):.2f} ms (target p95 <= 5 ms)")


def start_up() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(CACHE / "quality" / "bundled", home)
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("ROUNDTABLE_")}, "ROUNDTABLE_HOME": str(home)}
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            process = subprocess.run([sys.executable, "-m", "bots", "run"], input="/quit\n", env=env, text=True,
                                     capture_output=True, timeout=120, check=True, cwd=ROOT)
            assert "ready in" in process.stderr, process.stderr
            reported = float(process.stderr.split("ready in ")[1].split(" s")[0])
            timings.append((reported, time.perf_counter() - started))
        best = min(timings)
        print(f"`roundtable run` on a warm store: ready in {best[0]:.1f} s from process start, embedding model "
              f"loaded ({best[1]:.1f} s wall time until the process exited; best of 3; target <= 3 s)")


def help_time() -> None:
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bots", "--help"], capture_output=True, check=True, cwd=ROOT)
        timings.append(time.perf_counter() - started)
    print(f"`roundtable --help`: {statistics.median(timings):.2f} s (median of 5; best {min(timings):.2f} s; "
          "target <= 0.5 s)")


def main() -> None:
    research = Research.open(CACHE / "quality" / "bundled")
    research.ensure_bundled()
    profiles = SqlProfileStore.open("sqlite://", Fernet.generate_key())
    advisor = TimedAdvisor(research.retriever, GroundedComposer(), profiles)
    router = Router(advisor, profiles, ChatSettingsStore(profiles.engine), FixedCollections({"research"}))
    chatter(router)
    ask_overhead(router)
    start_up()
    help_time()


if __name__ == "__main__":
    main()
