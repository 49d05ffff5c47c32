"""Contribution points benchmark: what remembering post authors costs every group message, and how long /top's
table takes on a busy chat.

    python benchmarks/points.py [--members 2000] [--marks 100000]

1. ``PointsStore.posted`` (what the router calls for every group message that passed moderation) on a SQLite
   file: microseconds per message on the calling thread, the batched writes included (the final flush is timed).
2. A chat with MEMBERS members and MARKS helpful marks over 90 days (random givers and receivers, plus a ring of
   five accounts farming): ``PointsCommands.table`` (read every mark, find small circles, weigh, cap), afresh and
   cached: best of 3.

Synthetic data from a fixed seed; numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import ROOT  # noqa: F401  (puts the repository on sys.path)

from advisor.community.points import small_circles
from advisor.community.pointstore import MarkRow, PointsStore, day_number
from advisor.db import app_engine
from bots.chat.points import PointsCommands

CHAT = "telegram:-100"
START = datetime(2026, 8, 1, tzinfo=UTC)


def observe_cost(store: PointsStore, messages: int) -> float:
    started = time.perf_counter()
    for n in range(messages):
        store.posted(CHAT, str(n), f"telegram:{n % 500}", f"Member {n % 500}", START + timedelta(seconds=n))
    store.flush()
    return (time.perf_counter() - started) / messages * 1e6


def seed_marks(store: PointsStore, members: int, marks: int) -> None:
    rng = random.Random(14)
    rows = []
    for n in range(marks):
        giver, receiver = rng.sample(range(members), 2)
        at = START + timedelta(minutes=rng.randrange(90 * 24 * 60))
        rows.append(dict(chat_key=CHAT, giver=f"telegram:{giver}", receiver=f"telegram:{receiver}",
                         message_id=f"m{n}", at=at, day=day_number(at), new_giver=rng.random() < 0.05))
    ring = [f"telegram:ring{n}" for n in range(5)]
    for day in range(90):
        for giver in ring:
            for receiver in ring:
                if giver != receiver:
                    at = START + timedelta(days=day)
                    rows.append(dict(chat_key=CHAT, giver=giver, receiver=receiver, message_id=f"r{day}{receiver}",
                                     at=at, day=day_number(at), new_giver=False))
    with store.engine.begin() as connection:
        connection.execute(MarkRow.__table__.insert(), rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--marks", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = app_engine(f"sqlite:///{Path(folder) / 'points.db'}")
        store = PointsStore(engine)
        print(f"posted(): {observe_cost(store, 20_000):.1f} µs per group message (20,000 messages, final flush "
              "timed)")
        seed_marks(store, args.members, args.marks)
        cold, warm = [], []
        for _ in range(3):
            commands = PointsCommands(store)  # nothing cached: every mark read and counted
            started = time.perf_counter()
            table = commands.table(CHAT)
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            commands.table(CHAT)  # the next /top within TABLE_TTL: earnings cached
            warm.append(time.perf_counter() - started)
        circles = small_circles(store.marks(CHAT))
        ring = [table[f"telegram:ring{n}"].points for n in range(5)]
        top = max(s.points for s in table.values())
        print(f"table(): {min(cold) * 1000:.0f} ms counted afresh, {min(warm) * 1000:.1f} ms cached (best of 3) "
              f"for {args.members:,} members and "
              f"{args.marks + 90 * 20:,} marks; {len(circles)} small circle(s) found; the farming ring's points "
              f"{min(ring):g}-{max(ring):g} (face value {90 * 4 * 10:,}), the top member's {top:g}")


if __name__ == "__main__":
    main()
