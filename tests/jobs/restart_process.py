"""One process of the restart test (tests/jobs/test_briefing_restart.py): ``python -m tests.jobs.restart_process
PHASE DATABASE DELIVERIES INSTANT``, run from the repository's root. Prints one JSON object on stdout.

- ``subscribe``: at INSTANT, save a subscription and reconcile the job store, then exit;
- ``serve``: travel to INSTANT with the clock running, start the scheduler on the stored jobs as `roundtable run`
  does, and let it run until a briefing was delivered (at most 10 s) plus a little, to catch a second one;
- ``again``: the same, started inside the grace window after the send; it also fires the chat's job by hand, as
  a second instance or a crash between send and store update would.
A delivery is one line appended to DELIVERIES.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine

from advisor.briefing.markets import is_trading_day
from advisor.briefing.subscription import Subscription
from jobs.briefings import Briefings
from jobs.scheduler import build_scheduler, fire_briefing, reconcile, start_briefings
from tests.jobs.world import composer, market, store

CHAT = "telegram:-100123"
NEW_YORK = ZoneInfo("America/New_York")


class FileSender:
    platform = "telegram"
    per_second = 30.0

    def __init__(self, path: Path) -> None:
        self.path = path

    async def deliver(self, chat_id: str, text: str, image: bytes | None = None) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            out.write(f"{datetime.now(NEW_YORK).isoformat(timespec='seconds')} {chat_id} "
                      f"{len(text)} characters\n")


async def subscribe(url: str) -> dict[str, object]:
    subs = store(url)
    subs.save(Subscription(CHAT, watchlist=("AAPL",)))
    scheduler = build_scheduler(url)
    scheduler.start(paused=True)  # reads and writes the job store, fires nothing
    changes = reconcile(scheduler, subs)
    job = scheduler.get_job("briefing:" + CHAT)
    scheduler.shutdown(wait=False)
    return {"added": changes.added, "next_run_time": job.next_run_time.isoformat()}


async def serve(url: str, deliveries: Path, fire_by_hand: bool) -> dict[str, object]:
    subs = store(url)
    scheduler = build_scheduler(url)
    scheduler.start()
    stored = scheduler.get_job("briefing:" + CHAT)  # before anything reconciles: what the job store kept
    loaded = stored.next_run_time.isoformat() if stored else None
    runner = Briefings(subs, market(), composer(), lambda chat: None, {"telegram": FileSender(deliveries)})
    changes = start_briefings(scheduler, runner)
    by_hand = None
    if fire_by_hand:
        result = await fire_briefing(CHAT)
        by_hand = result.line() if result else None
    for _ in range(100):  # until a briefing was delivered, at most 10 s
        if deliveries.exists():
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.5)  # a second delivery would come now
    scheduler.shutdown(wait=False)
    return {"loaded": loaded, "changes": [changes.added, changes.replaced, changes.removed], "by_hand": by_hand,
            "ledger": [[chat, day.isoformat(), status, attempts] for chat, day, status, attempts in subs.sends()]}


def main(phase: str, database: str, deliveries: str, instant: str) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    url, at = f"sqlite:///{database}", datetime.fromisoformat(instant)
    if phase == "subscribe":
        with time_machine.travel(at, tick=False):
            report = asyncio.run(subscribe(url))
    else:
        is_trading_day("US", date(2026, 11, 30))  # the holiday calendar loads in about a second: before the clock
        composer()
        with time_machine.travel(at, tick=True):
            report = asyncio.run(serve(url, Path(deliveries), fire_by_hand=phase == "again"))
    print(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:5])
