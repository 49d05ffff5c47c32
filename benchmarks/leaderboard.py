"""Issue 14's target: a leaderboard over 10,000 members with a year of daily history renders in <= 1 s.

    python benchmarks/leaderboard.py [--members 10000] [--days 252] [--callers 500] [--flagged 50] [--runs 10]

The history is built through the real store, in a temporary SQLite file on the app's engine settings
(``advisor.db.app_engine``): every trading day, ``RecordStore.record_day`` folds one point per member into
their summary, as the daily job does (seeded random walks, drift and volatility varying by member, every
member sharing in ONE chat). ``--callers`` members post 12 public calls each (``add_call``) that are graded
(``grade``); ``--flagged`` members get a pump decision in the moderation log. Then /leaderboard's path
(``LeaderboardCommands.board`` + ``render_board``: the flag query, one summary row per member, scoring,
sorting, the text) is timed: first on a new engine (cold), then ``--runs`` times (warm; p50, p95, max).
Target: the worst warm render, and the cold one, <= 1 s. Also printed: what building the year cost per day.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from common import percentile  # also puts the repository on sys.path

from advisor.community.calls import Call
from advisor.community.leaderboard import render_board
from advisor.community.records import Observation, RecordStore
from advisor.db import app_engine
from advisor.market.fake import weekdays
from bots.chat.leaderboard import LeaderboardCommands
from bots.chat.modstore import LogEntry, ModerationStore

CHAT = "telegram:-1001"
RISKS = ("R1", "R2", "R3", "R4", "R5")


def build(url: str, members: int, days: list[date], callers: int, flagged: int) -> tuple[float, float]:
    """The year of history; (seconds in all, seconds per day's record_day)."""
    rng = random.Random(14)
    store = RecordStore(app_engine(url))
    shared_at = datetime.combine(days[0], datetime.min.time(), UTC)
    drift = [rng.gauss(0.0003, 0.0004) for _ in range(members)]
    vol = [rng.uniform(0.004, 0.03) for _ in range(members)]
    index = [1.0] * members
    bench = 100.0
    started = time.perf_counter()
    per_day: list[float] = []
    for day in days:
        bench *= 1 + rng.gauss(0.0003, 0.01)
        observations = []
        for m in range(members):
            index[m] *= 1 + rng.gauss(drift[m], vol[m])
            observations.append(Observation(CHAT, f"telegram:{m}", f"@member{m}", shared_at, index[m], bench,
                                            RISKS[m % 5]))  # type: ignore[arg-type]
        t0 = time.perf_counter()
        store.record_day(day, observations)
        per_day.append(time.perf_counter() - t0)
    calls_at = shared_at + timedelta(days=1)
    for m in range(callers):
        for i in range(12):
            store.add_call(CHAT, f"telegram:{m}", f"@member{m}", Call(f"S{i}", 1), calls_at + timedelta(days=i))
    pending = [call for _, calls in store.pending_calls() for call in calls]
    store.grade([(call.id, horizon, rng.random() < 0.55) for call in pending for horizon in (5, 20)])
    moderation = ModerationStore(store.engine)
    for m in range(flagged):
        moderation.record(LogEntry(CHAT, f"telegram:{m * 7}", "delete", "bot", str(m), ("pump",), calls_at))
    moderation.flush()
    return time.perf_counter() - started, statistics.mean(per_day)


def render(url: str) -> tuple[float, int, str]:
    """One /leaderboard on a new engine: (seconds, ranked members considered, the text)."""
    engine = app_engine(url)
    t0 = time.perf_counter()
    commands = LeaderboardCommands(RecordStore(engine), ModerationStore(engine))
    board = commands.board(CHAT)
    text = render_board(board)
    elapsed = time.perf_counter() - t0
    engine.dispose()
    return elapsed, board.excluded, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=252)
    parser.add_argument("--callers", type=int, default=500)
    parser.add_argument("--flagged", type=int, default=50)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.db"
        url = f"sqlite:///{path}"
        days = weekdays(args.days, date(2025, 1, 6))
        built, per_day = build(url, args.members, days, args.callers, args.flagged)
        print(f"history: {args.members:,} members x {len(days)} trading days = {args.members * len(days):,} "
              f"points, {args.callers:,} members with 12 graded calls, {args.flagged} flagged; built in "
              f"{built:.1f} s ({per_day * 1000:.0f} ms per day's record_day); database "
              f"{path.stat().st_size / 1e6:.0f} MB")
        cold, excluded, text = render(url)
        engine = app_engine(url)
        commands = LeaderboardCommands(RecordStore(engine), ModerationStore(engine))
        warm = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            render_board(commands.board(CHAT))
            warm.append(time.perf_counter() - t0)
        print(f"render /leaderboard: cold (new engine) {cold * 1000:.0f} ms; warm over {args.runs} runs p50 "
              f"{statistics.median(warm) * 1000:.0f} ms, p95 {percentile(warm, 95) * 1000:.0f} ms, max "
              f"{max(warm) * 1000:.0f} ms; "
              f"{excluded} flagged member(s) left out")
        ok = max(cold, *warm) <= 1.0
        print(f"target <= 1 s: {'PASS' if ok else 'FAIL'}")
        print("--- the text (first 5 lines) ---")
        print("\n".join(text.splitlines()[:5]))


if __name__ == "__main__":
    main()
