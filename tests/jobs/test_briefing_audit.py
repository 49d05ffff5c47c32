"""A briefing that was sent is in the audit log: chat, local date and market; one that failed is not."""

from __future__ import annotations

import json
from pathlib import Path

import time_machine
from cryptography.fernet import Fernet

from advisor.audit import AuditLog, Entry
from jobs.briefings import Briefings
from jobs.delivery import ChatGoneError
from tests.jobs.test_briefing_runs import MONDAY
from tests.jobs.world import RecordingSender, Waits, composer, market, store, subscribe


async def test_a_sent_briefing_is_recorded_and_an_undelivered_one_is_not(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rt.db'}"
    subs = store(url)
    subscribe(subs, "telegram:-100123", watchlist=("AAPL",))
    subscribe(subs, "telegram:-100999")
    audit = AuditLog.open(url, Fernet.generate_key())
    sender = RecordingSender(failures=[ChatGoneError("the bot was removed")])  # the first chat in order is gone
    runner = Briefings(subs, market(), composer(), lambda chat_key: None, {"telegram": sender}, sleep=Waits(),
                       audit=audit)
    with time_machine.travel(MONDAY, tick=False):
        results = await runner.run_due()
    assert sorted(result.status for result in results) == ["sent", "unsubscribed"]
    (sent,) = (result for result in results if result.status == "sent")
    (entry,) = (Entry(*row) for row in audit.rows())
    assert (entry.kind, entry.chat, entry.user) == ("briefing", sent.chat_key, None)
    assert json.loads(entry.data) == {"local_date": "2026-11-30", "market": "US", "attempts": 1}
    assert audit.verify().ok
