"""Chat benchmark: router throughput on group chatter, router + rendering overhead, `roundtable run` start-up.

    python benchmarks/chat.py

1. Plain group messages the bot only observes, through Router.handle, on one core: messages per second.
2. /ask commands through Router.handle + Telegram HTML rendering, minus the advisor's own time for the
   same call (measured inside the same call): p50/p95 overhead in ms.
3. `roundtable run` (no token: the terminal chat) on a warm store until it prints "ready": seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import CACHE, dev_questions, percentile
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from advisor.types import Answer, Question
from bots.chat.messages import Incoming
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore
from bots.telegram.render import answer_html
from knowledge.research import Research


class TimedAdvisor(Advisor):
    """The real advisor, remembering how long its last answer took."""

    last = 0.0

    def answer(self, question: Question, collection: str | None = None) -> Answer:
        started = time.perf_counter()
        try:
            return super().answer(question, collection)
        finally:
            TimedAdvisor.last = time.perf_counter() - started


def main() -> None:
    research = Research.open(CACHE / "quality" / "bundled")
    research.ensure_bundled()
    profiles = SqlProfileStore.open("sqlite://", Fernet.generate_key())
    advisor = TimedAdvisor(research.retriever, GroundedComposer(), profiles)
    router = Router(advisor, profiles, ChatSettingsStore(profiles.engine))

    chatter = [Incoming("telegram", "-100", "group", str(i % 50), "m", f"message {i} about $TSLA to the moon")
               for i in range(20000)]
    started = time.perf_counter()
    for message in chatter:
        router.handle(message)
    rate = len(chatter) / (time.perf_counter() - started)
    print(f"router, plain group messages observed: {rate:,.0f} messages/s (target >= 5,000)")

    overhead = []
    for i, question in enumerate(dev_questions(seed=3)[:300]):
        message = Incoming("telegram", "-100", "group", f"u{i}", "m", f"/ask {question}")
        started = time.perf_counter()
        for reply in router.handle(message):
            if reply.answer:
                answer_html(reply.answer)
        overhead.append((time.perf_counter() - started - TimedAdvisor.last) * 1000)
    print(f"router + rendering overhead on /ask beyond the advisor: p50 {percentile(overhead, 50):.2f} ms, "
          f"p95 {percentile(overhead, 95):.2f} ms (target p95 <= 5 ms)")

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(CACHE / "quality" / "bundled", home)
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("ROUNDTABLE_")}, "ROUNDTABLE_HOME": str(home)}
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            process = subprocess.run([sys.executable, "-m", "bots", "run"], input="/quit\n", env=env, text=True,
                                     capture_output=True, timeout=120, check=True)
            assert "ready in" in process.stderr, process.stderr
            reported = float(process.stderr.split("ready in ")[1].split(" s")[0])
            timings.append((reported, time.perf_counter() - started))
        best = min(timings)
        print(f"`roundtable run` on a warm store: ready after {best[0]:.1f} s of start-up "
              f"({best[1]:.1f} s including the interpreter and imports; best of 3; target <= 3 s)")


if __name__ == "__main__":
    main()
